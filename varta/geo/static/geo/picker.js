// Varta's place picker: progressive enhancement of <input data-pcode-picker="single|multiple">.
//
// Without JavaScript the input takes P-codes typed by hand (several separated by commas). With it, typing a
// name in Ukrainian or English (or a P-code) shows suggestions from the JSON search (data-search-url) in a
// listbox that follows the ARIA combobox pattern. "single" puts the chosen P-code into the input and shows the
// place's name beside it; "multiple" shows chosen places as removable chips and posts them, comma-separated,
// in a hidden input that takes over the field's name. Every text shown comes from the input's data-msg-*
// attributes, which the server renders translated (varta/geo/forms.py, PcodeWidget).
"use strict";
(function () {
  var DEBOUNCE_MS = 150;
  var MIN_CHARS = 2;
  var PCODE = /^[A-Za-z]{2}[A-Za-z0-9]*[0-9][A-Za-z0-9]*$/;
  var counter = 0;

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

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

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
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
    var results = [];
    var active = -1;
    var timer = null;
    var controller = null;

    // Layout: [chips] input [listbox] [note] [chosen name] [status for screen readers]
    var wrapper = el("div", "picker");
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var list = el("ul", "picker-list");
    list.id = input.id + "-listbox";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) {
      if (!label.id) { label.id = input.id + "-label"; }
      list.setAttribute("aria-labelledby", label.id);
    }
    wrapper.appendChild(list);
    var note = el("p", "picker-note");
    note.hidden = true;
    wrapper.appendChild(note);
    var status = el("div", "visually-hidden");
    status.setAttribute("role", "status");
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

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

    function announce(text) { status.textContent = text || ""; }

    function showNote(text) {
      note.textContent = text || "";
      note.hidden = !text;
      announce(text);
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

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      var options = list.querySelectorAll('[role="option"]');
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function open(places) {
      results = multiple ? places.filter(function (p) {
        return !chosen.some(function (c) { return c.pcode === p.pcode; });
      }) : places;
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!results.length) {
        close();
        showNote(msg.empty);
        return;
      }
      showNote("");
      results.forEach(function (place, i) {
        var option = el("li");
        option.id = list.id + "-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.appendChild(el("span", "", place.name));
        // "Uzhhorodskyi raion" already says "raion"; a settlement or a foreign unit needs its level spelt out.
        var named = place.level_label && (" " + place.name.toLowerCase()).endsWith(" " + place.level_label.toLowerCase());
        var meta = [named ? "" : place.level_label, place.path, place.pcode].filter(Boolean).join(" · ");
        option.appendChild(document.createTextNode(" "));
        option.appendChild(el("span", "meta", meta));
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announce(format(msg.count, { count: results.length }));
    }

    function pick(index) {
      var place = results[index];
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
      close();
      showNote("");
      announce(format(msg.picked, { name: place.name }));
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
        close();
        showNote(msg.error);
      });
    }

    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (!multiple) { showChosenName(chosen[0] && chosen[0].pcode === query.toUpperCase() ? chosen[0] : null); }
      window.clearTimeout(timer);
      if (query.length < MIN_CHARS) {
        if (controller) { controller.abort(); }
        close();
        showNote("");
        return;
      }
      timer = window.setTimeout(function () { search(query); }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var isOpen = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!isOpen && results.length && input.value.trim().length >= MIN_CHARS) { open(results); }
        if (!list.hidden) { setActive(active + (event.key === "ArrowDown" ? 1 : (active < 0 ? 0 : -1))); }
        event.preventDefault();
      } else if (event.key === "Enter") {
        if (isOpen && active >= 0) {
          event.preventDefault();
          pick(active);
        } else if (isOpen && results.length === 1) {
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
            close();
          }
        }
      } else if (event.key === "Escape") {
        if (isOpen) {
          close();
          event.preventDefault();
        } else if (input.value) {
          input.value = "";
          showNote("");
          if (!multiple) { showChosenName(null); }
          event.preventDefault();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () { close(); });
    // Keep the focus in the input while the mouse picks an option (the blur would close the list first).
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (!option) { return; }
      var options = Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
      pick(options.indexOf(option));
    });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest('[role="option"]');
      if (!option) { return; }
      var index = Array.prototype.slice.call(list.querySelectorAll('[role="option"]')).indexOf(option);
      if (index !== active) { setActive(index); }
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
