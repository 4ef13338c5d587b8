// Selecting a passage of a section's text copies it into the comment's "quoted passage" field.
// Without JavaScript the field is filled by hand; nothing else depends on this file.
(function () {
  "use strict";
  var text = document.getElementById("section-text");
  if (!text) return;
  var field = document.querySelector(text.getAttribute("data-quote-target"));
  if (!field) return;
  function copySelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    var range = selection.getRangeAt(0);
    if (!text.contains(range.commonAncestorContainer)) return;
    var quote = selection.toString().trim();
    if (quote) {
      field.value = quote;
      field.dispatchEvent(new Event("input"));
      recordOccurrence(range, quote);
      var disclosure = field.closest("details");
      if (disclosure) disclosure.open = true;
    }
  }
  // The same words may stand in the text more than once: the form says which one was selected
  // (how many times they occur before the selection), so that the comment keeps to that one.
  function recordOccurrence(range, quote) {
    var occurrence = field.form && field.form.querySelector('input[name="quote_occurrence"]');
    if (!occurrence) return;
    var before = document.createRange();
    before.setStart(text, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var squeeze = function (value) { return value.replace(/\s+/g, " "); };
    var preceding = squeeze(before.toString()), words = squeeze(quote), count = 0, at = preceding.indexOf(words);
    while (at >= 0) {
      count += 1;
      at = preceding.indexOf(words, at + 1);
    }
    occurrence.value = String(count);
  }
  field.addEventListener("input", function (event) {
    // Typed or pasted by hand: no selection says which occurrence is meant.
    var occurrence = field.form && field.form.querySelector('input[name="quote_occurrence"]');
    if (occurrence && event.isTrusted) occurrence.value = "";
  });
  text.addEventListener("mouseup", copySelection);
  text.addEventListener("keyup", copySelection);
})();

// Comment and reply forms: what is typed is kept in this browser (not on the server) until it is
// posted, and put back into the form when the page is opened again, so that a closed tab or an
// expired session loses nothing. Leaving the page with a comment typed but not posted asks first.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="mpf-user"]');
  if (!meta) return;
  var MAX_AGE = 30 * 24 * 3600 * 1000;
  var WRITTEN = ["body", "suggested_text"]; // a quote alone comes from selecting text: nothing typed
  var forms = [];

  function store() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function read(key) {
    try {
      return JSON.parse((store() && store().getItem(key)) || "null");
    } catch (error) {
      return null;
    }
  }

  function write(key, value) {
    try {
      if (store()) store().setItem(key, JSON.stringify(value));
    } catch (error) {
      /* full or forbidden: nothing more to do */
    }
  }

  function values(form) {
    var found = {};
    form.querySelectorAll("textarea[name]").forEach(function (field) { found[field.name] = field.value; });
    return found;
  }

  function typed(form) {
    var now = values(form);
    return WRITTEN.some(function (name) { return (now[name] || "").trim() && now[name] !== form.commentInitial[name]; });
  }

  document.querySelectorAll('form[action$="/comments/"], form[action$="/comments/#new-comment"]').forEach(function (form) {
    var parent = form.querySelector('input[name="parent_id"]');
    var language = form.querySelector('input[name="language"]');
    var key = ["mpf-comment", meta.getAttribute("content"), form.getAttribute("action"),
      language ? language.value : "", parent ? parent.value : ""].join(":");
    form.commentInitial = values(form);
    var kept = read(key);
    if (kept && (kept.submitted || Date.now() - kept.at > MAX_AGE)) {
      if (store()) store().removeItem(key);
    } else if (kept) {
      form.querySelectorAll("textarea[name]").forEach(function (field) {
        if (!field.value && kept.fields[field.name]) field.value = kept.fields[field.name];
      });
    }
    form.addEventListener("input", function () {
      write(key, { at: Date.now(), fields: values(form), submitted: false });
    });
    form.addEventListener("submit", function () {
      form.commentSubmitting = true;
      write(key, { at: Date.now(), fields: values(form), submitted: true });
    });
    forms.push(form);
  });

  window.addEventListener("beforeunload", function (event) {
    if (!forms.some(function (form) { return !form.commentSubmitting && typed(form); })) return undefined;
    event.preventDefault();
    event.returnValue = "";
    return "";
  });
})();
