// Keyboard shortcuts for the engineer's workspace. The pages work without this file.
(function () {
  "use strict";
  let current = -1;
  function rows() { return Array.from(document.querySelectorAll(".queue-table tbody tr[data-url]")); }
  function mark(index) {
    const list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach((row, i) => row.classList.toggle("table-active", i === current));
    list[current].querySelector("a").focus();
  }
  document.addEventListener("keydown", function (event) {
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "textarea", "select"].includes(tag) || event.ctrlKey || event.metaKey || event.altKey) return;
    const list = rows();
    if (event.key === "j") { mark(current + 1); event.preventDefault(); }
    else if (event.key === "k") { mark(current - 1); event.preventDefault(); }
    else if ((event.key === "o" || event.key === "Enter") && list[current]) { window.location = list[current].dataset.url; }
    else if (event.key === "x" && list[current]) { const box = list[current].querySelector("input[type=checkbox]"); box.checked = !box.checked; }
    else if (event.key === "/") { const q = document.getElementById("id_q"); if (q) { q.focus(); event.preventDefault(); } }
    else if (event.key === "r") { const body = document.getElementById("id_body"); if (body) { body.focus(); event.preventDefault(); } }
  });
})();

// The queue refreshes itself every 20 s, except while tickets are ticked for a bulk
// action (a refresh would lose the ticks). Here rather than as an hx-trigger filter,
// which htmx would have to eval and the Content-Security-Policy forbids.
document.addEventListener("htmx:beforeRequest", function (event) {
  if (event.detail.elt.id === "queue-table" && document.querySelector("#bulk-form input[name=tickets]:checked")) {
    event.preventDefault();
  }
});
