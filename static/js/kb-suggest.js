/* Knowledge-base suggestions beside the ticket form.
 *
 * <div id="kb-suggestions" data-kb-suggest-url="/kb/suggest/" data-kb-fields="id_subject id_body"
 *      data-kb-max-chars="2000">
 * After the customer pauses typing (400 ms) one POST is sent with the subject and the
 * text (each cut to data-kb-max-chars, with the page's CSRF token); a newer request
 * aborts the older one, an answer that arrives for an older text is dropped, and only
 * a successful answer (2xx) is shown: an error page never lands in the box. The form
 * itself never depends on this script.
 */
(function () {
  "use strict";
  var DELAY_MS = 400;

  function init(box) {
    var url = box.getAttribute("data-kb-suggest-url");
    var fields = (box.getAttribute("data-kb-fields") || "").split(/\s+/)
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    var maxChars = parseInt(box.getAttribute("data-kb-max-chars") || "2000", 10);
    if (!url || !fields.length || !window.fetch) return;
    var timer = null, controller = null, lastSent = null, sequence = 0;

    function currentQuery() {
      var params = new URLSearchParams();
      fields.forEach(function (field) { params.set(field.name, field.value.slice(0, maxChars)); });
      return params.toString();
    }

    function csrfToken() {
      var input = document.querySelector("input[name=csrfmiddlewaretoken]");
      if (input) return input.value;
      var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      return match ? decodeURIComponent(match[1]) : "";
    }

    function send() {
      var query = currentQuery();
      if (query === lastSent) return;
      lastSent = query;
      if (controller) controller.abort();
      controller = new AbortController();
      var mine = ++sequence;
      box.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        headers: {
          "X-Requested-With": "fetch",
          "X-CSRFToken": csrfToken(),
          "Content-Type": "application/x-www-form-urlencoded"
        },
        body: query,
        credentials: "same-origin",
        signal: controller.signal
      }).then(function (response) {
        // 429 (too many lookups) has a short message meant for the box; any other
        // failure leaves the box as it was.
        if (!response.ok && response.status !== 429) return null;
        return response.text();
      }).then(function (html) {
        if (html === null || mine !== sequence) return; // a failure, or an answer for an older text
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
