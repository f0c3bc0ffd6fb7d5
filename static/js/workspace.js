// Shortcuts on every workspace page: "?" lists them, "g q" goes to the queue, and the
// page's own keys (queue.js, reply.js) register through window.helpdeskKeys. What a key
// does is announced to screen readers through the #sr-announce live region.
(function () {
  "use strict";
  const handlers = {};
  let pendingG = false;

  function announce(text) {
    const region = document.getElementById("sr-announce");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function showHelp() {
    const dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  window.helpdeskKeys = {
    on: function (key, handler) { handlers[key] = handler; },
    announce: announce,
  };

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) showHelp();
  });

  document.addEventListener("keydown", function (event) {
    const tag = (event.target.tagName || "").toLowerCase();
    const typing = ["input", "textarea", "select"].includes(tag) || event.target.isContentEditable;
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (document.querySelector("dialog[open]")) return;
    if (pendingG) {
      pendingG = false;
      if (event.key === "q") {
        const dialog = document.getElementById("shortcuts");
        announce(dialog.dataset.goingToQueue || "");
        window.location = dialog.dataset.queueUrl;
        event.preventDefault();
      }
      return;
    }
    if (event.key === "?") { showHelp(); event.preventDefault(); return; }
    if (event.key === "g") { pendingG = true; window.setTimeout(function () { pendingG = false; }, 1500); return; }
    const handler = handlers[event.key];
    if (handler && handler(event) !== false) event.preventDefault();
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
