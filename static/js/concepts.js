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
    // A comment card standing after its paragraph (phones) is not the section's text.
    var inside = range.commonAncestorContainer;
    if ((inside.nodeType === Node.ELEMENT_NODE ? inside : inside.parentElement).closest(".margin-note")) return;
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
    var preceding = squeeze(textBefore(before)), words = squeeze(quote), count = 0, at = preceding.indexOf(words);
    while (at >= 0) {
      count += 1;
      at = preceding.indexOf(words, at + 1);
    }
    occurrence.value = String(count);
  }
  // The text of `range` without the comment cards standing in it after their paragraphs (phones).
  function textBefore(range) {
    var copy = range.cloneContents();
    copy.querySelectorAll(".margin-note").forEach(function (card) { card.remove(); });
    return copy.textContent;
  }
  field.addEventListener("input", function (event) {
    // Typed or pasted by hand: no selection says which occurrence is meant.
    var occurrence = field.form && field.form.querySelector('input[name="quote_occurrence"]');
    if (occurrence && event.isTrusted) occurrence.value = "";
  });
  text.addEventListener("mouseup", copySelection);
  text.addEventListener("keyup", copySelection);
})();
