// Image attachments open in a viewer on the page (a <dialog>); without JavaScript the
// thumbnail's link shows the image on its own.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const thumb = event.target.closest("[data-viewer=image]");
    const viewer = document.getElementById("image-viewer");
    if (!thumb || !viewer || !viewer.showModal) return;
    event.preventDefault();
    const img = document.getElementById("image-viewer-img");
    img.src = thumb.getAttribute("href");
    img.alt = thumb.dataset.caption;
    document.getElementById("image-viewer-caption").textContent = thumb.dataset.caption;
    viewer.showModal();
  });
})();
