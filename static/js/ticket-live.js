// The open ticket page follows the ticket: every 15 s (while the tab is visible) it asks
// for /live/ with If-None-Match; 304 means nothing changed. On a change it replaces the
// conversation, SLA and facts panels only: the reply box and the action forms are never
// touched, so nothing typed is lost. New messages are marked and announced.
(function () {
  "use strict";
  const page = document.getElementById("ticket-page");
  if (!page || !window.fetch) return;
  const url = page.dataset.liveUrl;
  let etag = page.dataset.etag;
  const PERIOD = Number(page.dataset.livePeriod || 15000);
  const REGIONS = ["live-conversation", "live-sla", "live-facts"];

  function messageIds(root) {
    return new Set(Array.from(root.querySelectorAll(".conversation > li[id]")).map(function (li) { return li.id; }));
  }

  function apply(html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const old = messageIds(document);
    REGIONS.forEach(function (id) {
      const fresh = doc.getElementById(id);
      const current = document.getElementById(id);
      if (fresh && current) current.innerHTML = fresh.innerHTML;
    });
    const arrived = Array.from(document.querySelectorAll(".conversation > li[id]")).filter(function (li) { return !old.has(li.id); });
    arrived.forEach(function (li) { li.classList.add("message-arrived"); });
    if (arrived.length && window.helpdeskKeys) {
      window.helpdeskKeys.announce(page.dataset.arrivedText.replace("{n}", arrived.length));
    } else if (window.helpdeskKeys) {
      window.helpdeskKeys.announce(page.dataset.changedText);
    }
    if (window.htmx) REGIONS.forEach(function (id) { window.htmx.process(document.getElementById(id)); });
  }

  function poll() {
    if (document.hidden) return;
    fetch(url, { headers: { "If-None-Match": etag }, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status !== 200) return null;
        etag = response.headers.get("ETag") || etag;
        return response.text();
      })
      .then(function (html) { if (html) apply(html); })
      .catch(function () { /* offline for a moment: the next round tries again */ });
  }

  window.setInterval(poll, PERIOD);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
})();
