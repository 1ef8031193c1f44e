// Search before register: refresh the "possible matches" panel while the worker types names and a date of birth.
// Progressive enhancement: without this script the first "Register" shows the same panel (rendered by the server).
// Names go in a POST body with the CSRF token, never in a URL.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var panel = document.getElementById("matches");
  if (!panel) { return; }
  var form = panel.closest("form");
  var status = document.getElementById("matches-status");
  var url = panel.getAttribute("data-search-url");
  var names = ["given_name", "family_name", "patronymic"].map(function (n) { return form.elements[n]; })
    .filter(Boolean);
  var birth = form.elements.birth_date;
  var fields = birth ? names.concat([birth]) : names;
  var DELAY = 250;
  var timer = null;
  var last = null;
  var controller = null;
  var initial = panel.innerHTML;

  function key() {
    return fields.map(function (f) { return f.value.trim(); }).join("\u0001");
  }

  function announce() {
    var summary = panel.querySelector("[data-summary]");
    if (status) { status.textContent = summary ? summary.getAttribute("data-summary") : ""; }
  }

  function search() {
    var current = key();
    if (current === last) { return; }
    last = current;
    if (controller) { controller.abort(); controller = null; }
    var typed = names.some(function (f) { return f.value.trim().length >= 2; });
    if (!typed) {
      panel.innerHTML = initial;
      announce();
      return;
    }
    controller = window.AbortController ? new AbortController() : null;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    fields.forEach(function (f) { body.append(f.name, f.value); });
    panel.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin", signal: controller ? controller.signal : undefined,
      headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      panel.innerHTML = html;
      announce();
    }).catch(function (error) {
      if (error && error.name === "AbortError") { return; }
      last = null;  // try again on the next keystroke
      var note = document.createElement("p");
      note.className = "error-text";
      note.textContent = panel.getAttribute("data-msg-error");
      panel.replaceChildren(note);
      if (status) { status.textContent = note.textContent; }
    }).finally(function () {
      panel.removeAttribute("aria-busy");
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, DELAY);
  }

  fields.forEach(function (f) {
    f.addEventListener("input", later);
    f.addEventListener("change", later);
  });
  // A page that arrives with names in it (an escalation, or a form sent back with errors) but no panel yet.
  if (panel.querySelector("[data-summary='']") && names.some(function (f) { return f.value.trim(); })) {
    search();
  } else {
    last = key();
    announce();
  }
});
