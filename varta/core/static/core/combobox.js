// Varta's combobox: the ARIA combobox pattern (an input that owns a listbox of suggestions) shared by the place
// picker (geo/picker.js) and the operator screen's topic picker (hotline/operator.js).
//
// VartaCombobox.attach(input, options) wraps the input in <div class="picker"> with a listbox, a note (nothing
// found, a search that failed) and a status region for screen readers, and handles what both pickers do alike:
// rendering the options, the active option (aria-activedescendant), closing on blur, Tab and Escape, Escape
// again to clear the text, and the mouse (hover marks an option active, a click picks it without stealing the
// focus). Each picker keeps its own searching, its arrow keys and Enter, and what a pick does.
//
// options: listId; labelledBy (a label's id) or label (text) for the listbox; statusIn (the element that holds
// the status region, default the wrapper); messages.empty and messages.count (%(count)s), already translated;
// render(item) → the nodes inside an option; pick(index) when an option is clicked.
"use strict";
window.VartaCombobox = (function () {
  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function attach(input, options) {
    var messages = options.messages || {};
    var wrapper = el("div", "picker");
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var list = el("ul", "picker-list");
    list.id = options.listId;
    list.setAttribute("role", "listbox");
    if (options.labelledBy) {
      list.setAttribute("aria-labelledby", options.labelledBy);
    } else if (options.label) {
      list.setAttribute("aria-label", options.label);
    }
    list.hidden = true;
    wrapper.appendChild(list);
    var note = el("p", "picker-note");
    note.hidden = true;
    wrapper.appendChild(note);
    var status = el("div", "visually-hidden");
    status.setAttribute("role", "status");
    (options.statusIn || wrapper).appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var box = { wrapper: wrapper, list: list, results: [], active: -1 };

    function optionNodes() { return Array.prototype.slice.call(list.querySelectorAll("[role='option']")); }

    box.announce = function (text) { status.textContent = text || ""; };

    box.showNote = function (text) {
      note.textContent = text || "";
      note.hidden = !text;
      box.announce(text);
    };

    box.isOpen = function () { return !list.hidden; };

    box.close = function () {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      box.active = -1;
    };

    box.setActive = function (index) {
      var nodes = optionNodes();
      if (!nodes.length) { return; }
      box.active = (index + nodes.length) % nodes.length;
      nodes.forEach(function (node, i) { node.setAttribute("aria-selected", i === box.active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", nodes[box.active].id);
      nodes[box.active].scrollIntoView({ block: "nearest" });
    };

    // Shows ``items`` (none: closed, with the "nothing found" note); ``preselect`` makes the first one active,
    // so that Enter takes the best match at once.
    box.open = function (items, preselect) {
      box.close();
      box.results = items;
      if (!items.length) {
        box.showNote(messages.empty);
        return;
      }
      box.showNote("");
      items.forEach(function (item, i) {
        var option = el("li");
        option.id = list.id + "-option-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        options.render(item).forEach(function (node) { option.appendChild(node); });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (preselect) { box.setActive(0); }
      box.announce(format(messages.count, { count: items.length }));
    };

    // Escape closes the list, or clears what was typed when it is closed (then ``cleared()``); Tab closes it.
    // True when the key was one of these.
    box.escapeOrTab = function (event, cleared) {
      if (event.key === "Escape") {
        if (box.isOpen()) {
          box.close();
          event.preventDefault();
        } else if (input.value) {
          input.value = "";
          box.showNote("");
          if (cleared) { cleared(); }
          event.preventDefault();
        }
        return true;
      }
      if (event.key === "Tab") {
        box.close();
        return true;
      }
      return false;
    };

    input.addEventListener("blur", function () { box.close(); });
    // Keep the focus in the input while the mouse picks an option (the blur would close the list first).
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role='option']");
      if (option) { options.pick(optionNodes().indexOf(option)); }
    });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest("[role='option']");
      if (!option) { return; }
      var index = optionNodes().indexOf(option);
      if (index !== box.active) { box.setActive(index); }
    });
    return box;
  }

  return { attach: attach, el: el, format: format };
})();
