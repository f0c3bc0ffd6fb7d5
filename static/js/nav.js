// The navbar collapses behind a menu button on narrow screens. Without this file the
// menu simply stays open (and wraps), so every page works without JavaScript.
(function () {
  "use strict";
  function setUp() {
    const button = document.querySelector("[data-nav-toggle]");
    const menu = document.getElementById("main-nav");
    if (!button || !menu) return;
    menu.classList.add("collapse");
    button.hidden = false;
    button.addEventListener("click", function () {
      const open = menu.classList.toggle("show");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
