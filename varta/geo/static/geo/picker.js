// Varta's place picker: progressive enhancement of <input data-pcode-picker="single|multiple">.
//
// Without JavaScript the input takes P-codes typed by hand (several separated by commas). With it, typing a
// name in Ukrainian or English (or a P-code) shows suggestions from the JSON search (data-search-url) in a
// listbox that follows the ARIA combobox pattern (core/combobox.js, loaded before this file). "single" puts
// the chosen P-code into the input and shows the place's name beside it; "multiple" shows chosen places as
// removable chips and posts them, comma-separated, in a hidden input that takes over the field's name. Every text shown comes from the input's data-msg-*
// attributes, which the server renders translated (varta/geo/forms.py, PcodeWidget).
"use strict";
(function () {
  var DEBOUNCE_MS = 150;
  var MIN_CHARS = 2;
  var PCODE = /^[A-Za-z]{2}[A-Za-z0-9]*[0-9][A-Za-z0-9]*$/;
  var counter = 0;
  var format = window.VartaCombobox.format;
  var el = window.VartaCombobox.el;

  function parseCodes(text) {
    return text.split(/[,;\n]/).map(function (s) { return s.trim().toUpperCase(); }).filter(Boolean);
  }

  function readChosen(input) {
    try {
      var value = JSON.parse(input.getAttribute("data-selected") || "[]");
      return Array.isArray(value) ? value : [];
    } catch (e) {
      return [];
    }
  }

  function enhance(input) {
    if (input.getAttribute("data-picker-ready")) { return; }
    input.setAttribute("data-picker-ready", "1");
    counter += 1;
    var multiple = input.getAttribute("data-pcode-picker") === "multiple";
    var searchUrl = input.getAttribute("data-search-url");
    if (!searchUrl) { return; }
    if (!input.id) { input.id = "pcode-picker-" + counter; }
    var msg = {
      empty: input.getAttribute("data-msg-empty"),
      error: input.getAttribute("data-msg-error"),
      count: input.getAttribute("data-msg-count"),
      remove: input.getAttribute("data-msg-remove"),
      chosen: input.getAttribute("data-msg-chosen"),
      picked: input.getAttribute("data-msg-picked")
    };
    var chosen = readChosen(input);
    var timer = null;
    var controller = null;

    // Layout: [chips] input [listbox] [note] [status for screen readers] [chosen name]
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label && !label.id) { label.id = input.id + "-label"; }
    var box = window.VartaCombobox.attach(input, {
      listId: input.id + "-listbox",
      labelledBy: label ? label.id : null,
      messages: { empty: msg.empty, count: msg.count },
      render: renderPlace,
      pick: pick
    });
    var wrapper = box.wrapper;

    var hidden = null;
    var chips = null;
    var chosenName = null;
    if (multiple) {
      // The hidden input posts the field; the visible one is only for typing.
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = input.name;
      input.removeAttribute("name");
      input.removeAttribute("required");
      input.value = "";
      wrapper.appendChild(hidden);
      chips = el("ul", "chips");
      if (msg.chosen) { chips.setAttribute("aria-label", msg.chosen); }
      wrapper.insertBefore(chips, input);
      renderChips();
      if (input.form) {
        input.form.addEventListener("submit", function () {
          // Text typed but not picked is posted as P-codes, exactly as without JavaScript.
          if (input.value.trim()) { hidden.value = [hidden.value, input.value.trim()].filter(Boolean).join(", "); }
        });
      }
    } else {
      chosenName = el("span", "picker-chosen");
      wrapper.appendChild(chosenName);
      var current = chosen[0];
      showChosenName(current && current.pcode === input.value.trim().toUpperCase() ? current : null);
    }

    function showChosenName(place) {
      if (!chosenName) { return; }
      var text = place && place.name && place.name !== place.pcode ? place.name : "";
      if (text && place.path) { text += " — " + place.path; }
      chosenName.textContent = text;
      chosenName.hidden = !text;
    }

    function syncHidden() {
      hidden.value = chosen.map(function (c) { return c.pcode; }).join(", ");
    }

    function renderChips() {
      chips.textContent = "";
      chosen.forEach(function (place, index) {
        var item = el("li", "", place.name || place.pcode);
        item.title = place.pcode;
        var remove = el("button", "", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", format(msg.remove, { name: place.name || place.pcode }));
        remove.addEventListener("click", function () {
          chosen.splice(index, 1);
          renderChips();
          input.focus();
        });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(remove);
        chips.appendChild(item);
      });
      chips.hidden = chosen.length === 0;
      syncHidden();
    }

    function renderPlace(place) {
      // "Uzhhorodskyi raion" already says "raion"; a settlement or a foreign unit needs its level spelt out.
      var named = place.level_label && (" " + place.name.toLowerCase()).endsWith(" " + place.level_label.toLowerCase());
      var meta = [named ? "" : place.level_label, place.path, place.pcode].filter(Boolean).join(" · ");
      return [el("span", "", place.name), document.createTextNode(" "), el("span", "meta", meta)];
    }

    function open(places) {
      box.open(multiple ? places.filter(function (p) {
        return !chosen.some(function (c) { return c.pcode === p.pcode; });
      }) : places, false);
    }

    function pick(index) {
      var place = box.results[index];
      if (!place) { return; }
      if (multiple) {
        if (!chosen.some(function (c) { return c.pcode === place.pcode; })) { chosen.push(place); }
        input.value = "";
        renderChips();
      } else {
        input.value = place.pcode;
        chosen = [place];
        showChosenName(place);
      }
      box.close();
      box.showNote("");
      box.announce(format(msg.picked, { name: place.name }));
    }

    function search(query) {
      if (controller) { controller.abort(); }
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var url = new URL(searchUrl, window.location.href);
      url.searchParams.set("q", query);
      fetch(url.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (places) {
        if (input.value.trim() !== query || document.activeElement !== input) { return; }
        open(Array.isArray(places) ? places : []);
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        box.close();
        box.showNote(msg.error);
      });
    }

    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (!multiple) { showChosenName(chosen[0] && chosen[0].pcode === query.toUpperCase() ? chosen[0] : null); }
      window.clearTimeout(timer);
      if (query.length < MIN_CHARS) {
        if (controller) { controller.abort(); }
        box.close();
        box.showNote("");
        return;
      }
      timer = window.setTimeout(function () { search(query); }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var isOpen = box.isOpen();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!isOpen && box.results.length && input.value.trim().length >= MIN_CHARS) { open(box.results); }
        if (box.isOpen()) { box.setActive(box.active + (event.key === "ArrowDown" ? 1 : (box.active < 0 ? 0 : -1))); }
        event.preventDefault();
      } else if (event.key === "Enter") {
        if (isOpen && box.active >= 0) {
          event.preventDefault();
          pick(box.active);
        } else if (isOpen && box.results.length === 1) {
          event.preventDefault();
          pick(0);
        } else if (multiple && input.value.trim()) {
          // Enter adds what was typed when it looks like P-codes; the server checks them on save.
          event.preventDefault();
          var codes = parseCodes(input.value);
          if (codes.every(function (c) { return PCODE.test(c); })) {
            codes.forEach(function (c) {
              if (!chosen.some(function (p) { return p.pcode === c; })) { chosen.push({ pcode: c, name: c }); }
            });
            input.value = "";
            renderChips();
            box.close();
          }
        }
      } else {
        box.escapeOrTab(event, function () { if (!multiple) { showChosenName(null); } });
      }
    });
  }

  function init() {
    document.querySelectorAll("input[data-pcode-picker]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
