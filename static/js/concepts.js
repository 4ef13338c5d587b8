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
    }
  }
  text.addEventListener("mouseup", copySelection);
  text.addEventListener("keyup", copySelection);
})();
