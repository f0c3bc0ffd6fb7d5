/* Knowledge-base suggestions beside the ticket form.
 *
 * <div id="kb-suggestions" data-kb-suggest-url="/kb/suggest/" data-kb-fields="id_subject id_body">
 * After the customer pauses typing (400 ms) one GET is sent with the subject and the
 * text; a newer request aborts the older one, and an answer that arrives for an older
 * text is dropped. The form itself never depends on this script.
 */
(function () {
  "use strict";
  var DELAY_MS = 400;

  function init(box) {
    var url = box.getAttribute("data-kb-suggest-url");
    var fields = (box.getAttribute("data-kb-fields") || "").split(/\s+/)
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    if (!url || !fields.length || !window.fetch) return;
    var timer = null, controller = null, lastSent = null, sequence = 0;

    function currentQuery() {
      var params = new URLSearchParams();
      fields.forEach(function (field) { params.set(field.name, field.value); });
      return params.toString();
    }

    function send() {
      var query = currentQuery();
      if (query === lastSent) return;
      lastSent = query;
      if (controller) controller.abort();
      controller = new AbortController();
      var mine = ++sequence;
      box.setAttribute("aria-busy", "true");
      fetch(url + "?" + query, {
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
        signal: controller.signal
      }).then(function (response) {
        return response.text();
      }).then(function (html) {
        if (mine !== sequence) return; // an answer for an older text
        box.innerHTML = html;
      }).catch(function (error) {
        if (error && error.name === "AbortError") return;
      }).finally(function () {
        if (mine === sequence) box.removeAttribute("aria-busy");
      });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(send, DELAY_MS);
    }

    fields.forEach(function (field) { field.addEventListener("input", schedule); });
    if (fields.some(function (field) { return field.value.trim(); })) send();
  }

  function start() {
    document.querySelectorAll("[data-kb-suggest-url]").forEach(init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
