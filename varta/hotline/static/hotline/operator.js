// The hotline operator screen (templates/hotline/contacts_form.html): progressive enhancement of a plain form.
//
// Without JavaScript the page is a normal form: topics are chosen in a few rows of selects, call-back and
// escalation fields are always shown, the duration is worked out by the server. With it:
// - a timer shows the time on the contact and fills the duration when the form is saved (unless typed);
// - digits 1–9 pick an option of a radio group (channel, direction); Enter never submits by accident;
//   Ctrl+Enter (or Cmd+Enter) and Alt+S press the main save button;
// - a type-ahead topic picker (the ARIA combobox of core/combobox.js, as the place picker's) filters the topics embedded
//   with json_script by what is typed in Ukrainian or English; each chosen topic becomes a row with its outcome
//   and referrals, and the focus stays in the picker so the next topic is one more Enter away;
// - call-back and escalation fields appear when their checkbox is ticked (and are not posted otherwise);
// - a draft of the form is kept in localStorage (one key per user and page) on every change and restored after a
//   crash or a reload, with a "Draft restored — Discard" notice; the page that follows a successful save tells
//   the script which draft to drop (data-draft-saved).
//
// Personal data never goes into the draft: the caller's name and phone and the notes (the fields Varta encrypts
// at rest, marked data-draft="never") are left out, as is the CSRF token. localStorage is readable by anyone who
// uses the same browser profile later and is not encrypted, so only the non-identifying description of the call
// (channel, caller profile, place, topics, indicators) may sit there. Drafts older than a day are removed.
"use strict";
(function () {
  var PREFIX = "varta.hotline.draft.";
  var MAX_AGE_MS = 24 * 3600 * 1000;
  var MAX_RESULTS = 12;
  var SAVE_DELAY_MS = 250;

  var format = window.VartaCombobox.format;
  var el = window.VartaCombobox.el;

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;  // storage disabled: the form works without drafts
    }
  }

  function fire(node, type) {
    node.dispatchEvent(new Event(type, { bubbles: true }));
  }

  function clock(ms) {
    var total = Math.max(0, Math.floor(ms / 1000));
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    var ss = (seconds < 10 ? "0" : "") + seconds;
    if (hours) { return hours + ":" + (minutes < 10 ? "0" : "") + minutes + ":" + ss; }
    return minutes + ":" + ss;
  }

  // Lower case, no apostrophes, punctuation as spaces: "Зв’язок, job-offer" → " звязок job offer".
  function normalise(text) {
    return " " + (text || "").toLowerCase().replace(/['’ʼ`]/g, "").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function pruneDrafts(store) {
    var now = Date.now();
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var key = store.key(i);
      if (!key || key.indexOf(PREFIX) !== 0) { continue; }
      try {
        var draft = JSON.parse(store.getItem(key));
        if (!draft || now - draft.savedAt > MAX_AGE_MS) { store.removeItem(key); }
      } catch (e) {
        store.removeItem(key);
      }
    }
  }

  // --- Topic picker ---------------------------------------------------------------------------------------

  function TopicPicker(fieldset, onChange) {
    var dataNode = document.getElementById("topic-data");
    var topics = dataNode ? JSON.parse(dataNode.textContent) : [];
    var byId = {};
    topics.forEach(function (t) {
      t.terms = normalise(t.terms);
      t.within = normalise(t.within);
      byId[String(t.id)] = t;
    });
    var msg = {
      added: fieldset.getAttribute("data-msg-added"),
      removed: fieldset.getAttribute("data-msg-removed"),
      count: fieldset.getAttribute("data-msg-count"),
      empty: fieldset.getAttribute("data-msg-empty"),
      remove: fieldset.getAttribute("data-msg-remove")
    };
    var box = fieldset.querySelector("[data-topic-picker]");
    var input = fieldset.querySelector("#topic-search");
    var rowsList = fieldset.querySelector("[data-topic-rows]");
    var template = fieldset.querySelector("template[data-topic-row-template]");
    var rowCounter = 0;

    box.hidden = false;
    var combobox = window.VartaCombobox.attach(input, {
      listId: "topic-search-listbox",
      label: (fieldset.querySelector("label[for='topic-search']") || {}).textContent || "",
      statusIn: box,
      messages: { empty: msg.empty, count: msg.count },
      render: function (t) {
        return t.category ? [el("span", "", t.name), el("span", "meta", t.category)] : [el("span", "", t.name)];
      },
      pick: pick
    });
    var announce = combobox.announce;

    function chosenIds() {
      return Array.prototype.map.call(rowsList.querySelectorAll("input[name='topic']"), function (i) {
        return i.value;
      });
    }

    function rows() {
      return Array.prototype.map.call(rowsList.querySelectorAll("li.op-topic-chosen"), function (li) {
        return {
          topic: li.querySelector("input[name='topic']").value,
          name: li.querySelector("[data-topic-name]").textContent,
          category: li.querySelector("[data-topic-category]").textContent,
          outcome: li.querySelector("select[name='outcome']").value,
          referrals: li.querySelector("input[name='referrals']").value
        };
      });
    }

    function addRow(item) {
      rowCounter += 1;
      var known = byId[String(item.topic)];
      var name = known ? known.name : item.name || String(item.topic);
      var category = known ? known.category : item.category || "";
      var li = template.content.firstElementChild.cloneNode(true);
      li.querySelector("input[name='topic']").value = item.topic;
      li.querySelector("[data-topic-name]").textContent = name;
      li.querySelector("[data-topic-category]").textContent = category ? "— " + category : "";
      ["outcome", "referrals"].forEach(function (part) {
        var control = li.querySelector("[data-id='" + part + "']");
        control.id = "topic-row-" + rowCounter + "-" + part;
        li.querySelector("label[data-for='" + part + "']").htmlFor = control.id;
      });
      if (item.outcome) { li.querySelector("select[name='outcome']").value = item.outcome; }
      li.querySelector("input[name='referrals']").value = item.referrals || "";
      var remove = li.querySelector("[data-topic-remove]");
      remove.setAttribute("aria-label", format(msg.remove, { name: name }));
      remove.addEventListener("click", function () {
        li.remove();
        announce(format(msg.removed, { name: name }));
        input.focus();
        onChange();
      });
      rowsList.appendChild(li);
      return name;
    }

    function setRows(items) {
      rowsList.textContent = "";
      items.forEach(addRow);
    }

    // The rows the server rendered (a correction, or a form sent back with errors) become picker rows.
    var initial = [];
    Array.prototype.forEach.call(rowsList.querySelectorAll("[data-server-row]"), function (li) {
      var select = li.querySelector("select[name='topic']");
      if (select.value) {
        initial.push({
          topic: select.value,
          name: select.options[select.selectedIndex].textContent,
          outcome: li.querySelector("select[name='outcome']").value,
          referrals: li.querySelector("input[name='referrals']").value
        });
      }
    });
    setRows(initial);

    function match(query) {
      var words = normalise(query).split(" ").filter(Boolean);
      var taken = chosenIds();
      var ranked = [];
      topics.forEach(function (t, order) {
        if (taken.indexOf(String(t.id)) >= 0) { return; }
        var own = words.every(function (w) { return t.terms.indexOf(" " + w) >= 0; });
        var withCategory = own || words.every(function (w) {
          return t.terms.indexOf(" " + w) >= 0 || t.within.indexOf(" " + w) >= 0;
        });
        if (!withCategory) { return; }
        ranked.push({ topic: t, rank: own ? 0 : 1, order: order });
      });
      ranked.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
      return ranked.map(function (r) { return r.topic; });
    }

    function pick(index) {
      var topic = combobox.results[index];
      if (!topic) { return; }
      var name = addRow({ topic: topic.id });
      input.value = "";
      combobox.close();
      combobox.showNote("");
      announce(format(msg.added, { name: name }));
      onChange();
    }

    function open(found, limit) {
      combobox.open(found.slice(0, limit), true);  // the first one active: Enter takes the best match at once
    }

    input.addEventListener("input", function (event) {
      event.stopPropagation();  // the typed search is not part of the draft
      var query = input.value.trim();
      if (!query) {
        combobox.close();
        combobox.showNote("");
        return;
      }
      open(match(query), MAX_RESULTS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!combobox.isOpen()) {
          open(input.value.trim() ? match(input.value) : match(""), topics.length);
          return;
        }
        combobox.setActive(combobox.active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        if (combobox.isOpen() && combobox.active >= 0) { pick(combobox.active); }
      } else {
        combobox.escapeOrTab(event);
      }
    });

    return { rows: rows, setRows: setRows, input: input };
  }

  // --- The form ---------------------------------------------------------------------------------------------

  function enhance(form) {
    var store = storage();
    var draftKey = form.getAttribute("data-draft-key");
    var key = draftKey ? PREFIX + draftKey : null;
    var dirty = false;
    var discarding = false;
    var saveTimer = null;
    var openedAt = Date.now();
    var picker = null;

    // Call-back and escalation fields: shown (and posted) only when their checkbox is ticked.
    var toggles = Array.prototype.map.call(form.querySelectorAll("[data-shown-by]"), function (box) {
      return { box: box, checkbox: document.getElementById(box.getAttribute("data-shown-by")) };
    }).filter(function (t) { return t.checkbox; });

    function updateToggles() {
      toggles.forEach(function (t) {
        var on = t.checkbox.checked;
        t.box.hidden = !on;
        Array.prototype.forEach.call(t.box.querySelectorAll("input, select, textarea"), function (control) {
          control.disabled = !on;
        });
      });
    }

    var countBadge = form.querySelector("[data-indicator-count]");
    function updateIndicatorCount() {
      if (!countBadge) { return; }
      var n = form.querySelectorAll(".op-indicators input[type='checkbox']:checked").length;
      countBadge.textContent = String(n);
      countBadge.hidden = n === 0;
    }

    // --- Drafts ---
    function skipped(control) {
      return !control.name || control.name === "csrfmiddlewaretoken" || control.name === "timer" ||
        control.getAttribute("data-draft") === "never" ||
        ["topic", "outcome", "referrals"].indexOf(control.name) >= 0 ||
        ["submit", "button", "file", "password"].indexOf(control.type) >= 0;
    }

    function collect() {
      var fields = {};
      Array.prototype.forEach.call(form.elements, function (control) {
        if (skipped(control)) { return; }
        if ((control.type === "checkbox" || control.type === "radio") && !control.checked) { return; }
        (fields[control.name] = fields[control.name] || []).push(control.value);
      });
      var place = form.querySelector(".picker-chosen");
      return {
        savedAt: Date.now(), openedAt: openedAt, fields: fields, topics: picker ? picker.rows() : [],
        placeName: place && !place.hidden ? place.textContent : ""
      };
    }

    function saveNow() {
      window.clearTimeout(saveTimer);
      if (!store || !key || !dirty || discarding) { return; }
      try {
        store.setItem(key, JSON.stringify(collect()));
      } catch (e) {
        // Quota or privacy mode: the form still works, without a draft.
      }
    }

    function saveSoon() {
      dirty = true;
      window.clearTimeout(saveTimer);
      saveTimer = window.setTimeout(saveNow, SAVE_DELAY_MS);
    }

    function restore(draft) {
      var fields = draft.fields || {};
      var seen = {};
      Array.prototype.forEach.call(form.elements, function (control) {
        if (skipped(control) || !Object.prototype.hasOwnProperty.call(fields, control.name)) { return; }
        var values = fields[control.name];
        if (control.type === "checkbox" || control.type === "radio") {
          control.checked = values.indexOf(control.value) >= 0;
        } else {
          var index = seen[control.name] || 0;
          control.value = values[index] !== undefined ? values[index] : "";
          seen[control.name] = index + 1;
        }
      });
      // Checkboxes of a multiple choice that were all unticked are absent from the draft: untick them.
      Array.prototype.forEach.call(form.querySelectorAll("input[type='checkbox']"), function (box) {
        if (!skipped(box) && !Object.prototype.hasOwnProperty.call(fields, box.name)) { box.checked = false; }
      });
      if (picker) { picker.setRows(draft.topics || []); }
      var place = form.querySelector(".picker-chosen");
      if (place && draft.placeName) {
        place.textContent = draft.placeName;
        place.hidden = false;
      }
      if (draft.openedAt) { openedAt = draft.openedAt; }
      dirty = true;
    }

    // --- Timer ---
    var display = document.querySelector("[data-timer-display]");
    var duration = form.querySelector("[name='duration']");
    var timerInput = form.querySelector("input[name='timer']");
    // A form sent back with errors: the timer goes on from the first opening, and a duration the timer filled
    // is filled again at the next save.
    var resumed = Number(form.getAttribute("data-timer-started") || 0);
    if (resumed > 0 && resumed <= Date.now()) {
      openedAt = resumed;
      if (duration) { duration.value = ""; }
    }
    function tick() {
      if (display) { display.textContent = clock(Date.now() - openedAt); }
    }

    // --- Wiring ---
    var topicsBox = form.querySelector("[data-topics]");
    if (topicsBox) { picker = TopicPicker(topicsBox, saveSoon); }

    if (store) {
      pruneDrafts(store);
      var saved = document.querySelector("[data-draft-saved]");
      if (saved) { store.removeItem(PREFIX + saved.getAttribute("data-draft-saved")); }
      if (key && form.getAttribute("data-draft-restore") === "1") {
        var draft = null;
        try { draft = JSON.parse(store.getItem(key)); } catch (e) { draft = null; }
        if (draft && draft.fields) {
          restore(draft);
          var notice = form.querySelector("[data-draft-notice]");
          if (notice) { notice.hidden = false; }
        }
      }
    }
    updateToggles();
    updateIndicatorCount();

    var discard = form.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        discarding = true;
        if (store && key) { store.removeItem(key); }
        window.location.replace(window.location.href);
      });
    }

    form.addEventListener("input", saveSoon);
    form.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") {
        updateToggles();
        updateIndicatorCount();
      }
      saveSoon();
    });
    window.addEventListener("pagehide", saveNow);

    if (form.hasAttribute("data-timer")) {
      tick();
      window.setInterval(tick, 1000);
    }

    form.addEventListener("submit", function () {
      if (form.hasAttribute("data-timer") && duration && !duration.value.trim()) {
        duration.value = clock(Date.now() - openedAt);
        if (timerInput) { timerInput.value = String(openedAt); }
      } else if (timerInput) {
        timerInput.value = "";
      }
      saveNow();
    });

    // Digits pick an option of a radio group: "1" phone, "2" Telegram…
    Array.prototype.forEach.call(form.querySelectorAll("[data-digit-keys]"), function (group) {
      group.addEventListener("keydown", function (event) {
        if (event.ctrlKey || event.metaKey || event.altKey || !/^[1-9]$/.test(event.key)) { return; }
        var radios = group.querySelectorAll("input[type='radio']");
        var radio = radios[Number(event.key) - 1];
        if (!radio) { return; }
        event.preventDefault();
        radio.checked = true;
        radio.focus();
        fire(radio, "change");
      });
    });

    // Enter in a field never sends the form half-filled; the save buttons and the shortcuts do.
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && target.tagName === "INPUT" &&
          ["submit", "button", "reset"].indexOf(target.type) < 0) {
        event.preventDefault();
      }
    });
    var shortcutButton = form.querySelector("[data-shortcut-submit]");
    document.addEventListener("keydown", function (event) {
      var ctrlEnter = (event.ctrlKey || event.metaKey) && event.key === "Enter";
      var altS = event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyS";
      if (!(ctrlEnter || altS) || !shortcutButton) { return; }
      event.preventDefault();
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(shortcutButton);
      } else {
        shortcutButton.click();
      }
    });

    // Focus: the first field with an error, else (new contact) the channel, where a call starts.
    var invalid = form.querySelector("[aria-invalid='true']");
    if (!invalid && form.querySelector("#topics_error") && picker) { invalid = picker.input; }
    if (invalid) {
      invalid.focus();
    } else if (form.hasAttribute("data-timer")) {
      var first = form.querySelector("[data-digit-keys] input:checked") || form.querySelector("[data-digit-keys] input");
      if (first) { first.focus(); }
    }
  }

  function init() {
    var form = document.querySelector("form[data-operator-form]");
    if (form) {
      enhance(form);
      return;
    }
    // Another page after a save (the contact's page): drop the draft that the save made obsolete.
    var saved = document.querySelector("[data-draft-saved]");
    var store = storage();
    if (saved && store) { store.removeItem(PREFIX + saved.getAttribute("data-draft-saved")); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
