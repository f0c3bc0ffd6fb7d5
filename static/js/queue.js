// The queue: j/k/o/x/slash keys, the bulk bar shown only with a selection, and the live
// refresh (htmx swaps #queue-table every 20 s) keeping the selected row and focus and
// marking rows that were not there before.
(function () {
  "use strict";
  let currentNumber = null;
  let before = null;
  const keys = window.helpdeskKeys;
  const text = document.getElementById("queue-texts");

  function rows() { return Array.from(document.querySelectorAll(".queue-table tbody tr[data-url]")); }

  function mark(number, focus) {
    const list = rows();
    let row = list.find(function (r) { return r.dataset.number === number; });
    if (!row) return;
    currentNumber = number;
    list.forEach(function (r) { r.classList.toggle("table-active", r === row); r.removeAttribute("aria-current"); });
    row.setAttribute("aria-current", "true");
    if (focus) row.querySelector("a").focus();
  }

  function move(step) {
    const list = rows();
    if (!list.length) return;
    let index = list.findIndex(function (r) { return r.dataset.number === currentNumber; });
    index = index < 0 ? (step > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(index + step, list.length - 1));
    mark(list[index].dataset.number, true);
  }

  function currentRow() { return rows().find(function (r) { return r.dataset.number === currentNumber; }); }

  function updateBulkBar() {
    const bar = document.getElementById("bulk-bar");
    if (!bar) return;
    const chosen = document.querySelectorAll("#bulk-form input[name=tickets]:checked").length;
    const hasErrors = bar.querySelector(".is-invalid, .invalid-feedback");
    bar.hidden = chosen === 0 && !hasErrors;
    const count = document.getElementById("bulk-count");
    if (count && text) count.textContent = chosen ? text.dataset.selected.replace("{n}", chosen) : "";
  }

  keys.on("j", function () { move(1); });
  keys.on("k", function () { move(-1); });
  keys.on("o", function () { const row = currentRow(); if (!row) return false; window.location = row.dataset.url; });
  keys.on("Enter", function (event) {
    const row = currentRow();
    if (!row || event.target.closest("a, button")) return false;
    window.location = row.dataset.url;
  });
  keys.on("x", function () {
    const row = currentRow();
    if (!row) return false;
    const box = row.querySelector("input[type=checkbox]");
    box.checked = !box.checked;
    updateBulkBar();
  });
  keys.on("/", function () {
    const panel = document.getElementById("filters-panel");
    if (panel) panel.open = true;
    const q = document.getElementById("id_q");
    if (!q) return false;
    q.focus();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("#bulk-form input[name=tickets]")) updateBulkBar();
  });
  document.addEventListener("focusin", function (event) {
    const row = event.target.closest && event.target.closest(".queue-table tr[data-number]");
    if (row) mark(row.dataset.number, false);
  });

  // No refresh while tickets are ticked for a bulk action (a filter in JS, not in the
  // hx-trigger attribute: htmx would need eval for that, which the CSP forbids).
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "queue-table" &&
        document.querySelector("#bulk-form input[name=tickets]:checked")) event.preventDefault();
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "queue-table") {
      // A tick made while the refresh was on its way wins: this refresh is dropped.
      if (document.querySelector("#bulk-form input[name=tickets]:checked")) {
        event.detail.shouldSwap = false;
        return;
      }
      before = new Set(rows().map(function (r) { return r.dataset.number; }));
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!before) return;
    const fresh = rows().filter(function (r) { return !before.has(r.dataset.number); });
    fresh.forEach(function (r) { r.classList.add("row-arrived"); });
    before = null;
    updateBulkBar();
    if (currentNumber) {
      const focused = document.activeElement && document.activeElement.id === "open-" + currentNumber;
      mark(currentNumber, focused);
    }
    if (fresh.length && text) keys.announce(text.dataset.arrived.replace("{n}", fresh.length));
  });

  // Wide screens show the filters open; phones keep them folded until asked for.
  const panel = document.getElementById("filters-panel");
  if (panel && window.matchMedia("(min-width: 768px)").matches) panel.open = true;
  updateBulkBar();
})();
