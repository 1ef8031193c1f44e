// Case record tabs: on the service form, show the length of a rehabilitation-centre stay as the dates are typed.
// The server computes and shows it too; this only spares a round trip. No inline script: loaded with defer.
"use strict";
(function () {
  var form = document.querySelector("form[data-service-form]");
  if (!form) { return; }
  var type = form.querySelector("[name=service_type]");
  var start = form.querySelector("[name=started_on]");
  var end = form.querySelector("[name=ended_on]");
  var out = form.querySelector("[data-stay-length]");
  if (!type || !start || !end || !out) { return; }
  var DAY_MS = 24 * 60 * 60 * 1000;

  function parse(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : null;
  }

  function update() {
    var from = parse(start.value);
    var to = parse(end.value);
    if (type.value !== "rehabilitation_stay" || from === null || to === null || to < from) {
      out.hidden = true;
      return;
    }
    out.textContent = out.getAttribute("data-template").replace("%(days)s", String(Math.round((to - from) / DAY_MS)));
    out.hidden = false;
  }

  [type, start, end].forEach(function (el) {
    el.addEventListener("change", update);
    el.addEventListener("input", update);
  });
  update();
})();
