// The reply box: canned replies inserted at the cursor (no reload, the draft stays),
// searched by title and text; links to suggested articles; and the
// ticket page's keys r, c, e, s (Ctrl+Enter sends while typing).
(function () {
  "use strict";
  const keys = window.helpdeskKeys;
  const body = document.getElementById("id_body");
  const dataNode = document.getElementById("canned-data");
  const canned = dataNode ? JSON.parse(dataNode.textContent) : [];
  const texts = document.getElementById("reply-texts");

  function say(key, value) {
    if (keys && texts) keys.announce(texts.dataset[key].replace("{name}", value || ""));
  }

  function insertAtCursor(text) {
    if (!body) return;
    const start = body.selectionStart, end = body.selectionEnd;
    const before = body.value.slice(0, start);
    const gap = before && !before.endsWith("\n") && start === body.value.length ? "\n" : "";
    body.setRangeText(gap + text, start, end, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    const cannedButton = event.target.closest("[data-canned]");
    if (cannedButton && body) {
      const reply = canned.find(function (r) { return String(r.id) === cannedButton.dataset.canned; });
      if (!reply) return;
      event.preventDefault();
      insertAtCursor(reply.text);
      say("inserted", reply.title);
      const picker = document.getElementById("canned-picker");
      if (picker) picker.open = false;
      return;
    }
    const linkButton = event.target.closest("[data-insert-link]");
    if (linkButton && body) {
      event.preventDefault();
      insertAtCursor(linkButton.dataset.title + ": " + linkButton.dataset.insertLink);
      say("linked", linkButton.dataset.title);
      return;
    }
  });

  const search = document.getElementById("canned-search");
  if (search) {
    search.addEventListener("input", function () {
      const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      document.querySelectorAll("#canned-list .canned-item").forEach(function (item) {
        const hit = words.every(function (w) { return item.dataset.search.includes(w); });
        item.hidden = !hit;
        if (hit) shown += 1;
      });
      document.querySelectorAll("#canned-list .canned-divider").forEach(function (d) { d.hidden = words.length > 0; });
      const count = document.getElementById("canned-count");
      if (count && texts) count.textContent = texts.dataset.found.replace("{n}", shown);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = document.querySelector("#canned-list .canned-item:not([hidden]) [data-canned]");
        if (first) first.click();
      }
    });
  }

  // Public-only buttons ("send and wait", "send and resolve") are off for internal notes.
  const internal = document.getElementById("id_internal");
  function syncButtons() {
    document.querySelectorAll("[data-public-only]").forEach(function (b) { b.disabled = internal && internal.checked; });
  }
  if (internal) { internal.addEventListener("change", syncButtons); syncButtons(); }

  if (body) {
    body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        document.getElementById("send-button").click();
      }
    });
  }

  // A failed submission: the first field in error gets the focus (its message is beside it).
  const invalid = document.querySelector("main .is-invalid, main [aria-invalid=true]");
  if (invalid) { invalid.scrollIntoView({ block: "center" }); invalid.focus(); }

  if (!keys) return;
  keys.on("r", function () { if (!body) return false; body.focus(); say("writing"); });
  keys.on("c", function () {
    const picker = document.getElementById("canned-picker");
    if (!picker) return false;
    picker.open = true;
    search.focus();
    say("canned");
  });
  keys.on("e", function () {
    const panel = document.getElementById("escalate-panel");
    if (!panel) return false;
    panel.open = true;
    document.getElementById("id_escalate_to_level").focus();
    say("escalate");
  });
  keys.on("s", function () {
    if (!body || !body.value.trim()) { say("empty"); return; }
    say("sending");
    document.getElementById("send-button").click();
  });
})();
