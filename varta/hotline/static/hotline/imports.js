// Import progress: polls the job's progress (JSON) every second and updates the bar and the counts; reloads
// the page when the run ends so the result (and the rejected rows) show. Without JavaScript the page refreshes
// itself (<noscript> meta refresh).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-import-progress]");
  if (!box) { return; }
  var url = box.getAttribute("data-import-progress");
  var bar = box.querySelector("progress");

  function show(data) {
    box.querySelectorAll("[data-field]").forEach(function (el) {
      var value = data[el.getAttribute("data-field")];
      if (value !== undefined && value !== null) { el.textContent = String(value); }
    });
    if (bar) {
      if (data.progress === null) { bar.removeAttribute("value"); } else { bar.value = data.progress; bar.textContent = data.progress + "%"; }
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 5000); return; }
        show(data);
        if (data.running) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
});
