// The ticket form shows what the request will cost in support points and the balance after.
// Reads the price table from #points-table (json_script) and the form's type and urgency.
(function () {
  "use strict";
  var box = document.getElementById("points-cost");
  var data = document.getElementById("points-table");
  var out = document.getElementById("points-preview");
  var form = document.getElementById("ticket-form");
  if (!box || !data || !out || !form) return;
  var table = JSON.parse(data.textContent);
  var balance = parseInt(box.dataset.balance, 10) || 0;
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return String(values[key]); });
  }
  function update() {
    var kind = form.elements.kind ? form.elements.kind.value : "";
    var urgency = form.elements.customer_urgency ? form.elements.customer_urgency.value : "";
    var cost = (table[kind] || {})[urgency];
    if (cost === undefined) { out.textContent = ""; return; }
    out.textContent = cost > balance
      ? fill(out.dataset.templateShort, { cost: cost })
      : fill(out.dataset.templateCost, { cost: cost, after: balance - cost });
  }
  form.addEventListener("change", update);
  update();
})();
