// A section edited in place on the concept page (htmx swaps the section's block for its editor and
// back). The reader stays where they were: the section is kept in view, and focus moves to the
// editor's first field when it opens and back to the section's heading when it closes. Cancelling
// with unsaved changes asks first (what was typed is kept as a draft all the same).
(function () {
  "use strict";
  var labelsElement = document.getElementById("draft-labels");
  var labels = labelsElement ? JSON.parse(labelsElement.textContent) : {};

  document.addEventListener("htmx:load", function (event) {
    var section = event.detail.elt;
    if (!section.matches || !section.matches("section.concept-section[id]")) return;
    var rect = section.getBoundingClientRect();
    if (rect.top < 0 || rect.top > window.innerHeight) section.scrollIntoView({ block: "start" });
    var field = section.querySelector("form input[type=text], form textarea");
    if (field) {
      field.focus({ preventScroll: true });
      return;
    }
    var heading = section.querySelector("h2, h3, h4, h5, h6");
    if (!heading) return;
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  });

  document.addEventListener("htmx:confirm", function (event) {
    var cancel = event.target;
    if (!cancel.matches || !cancel.matches("[data-draft-cancel]")) return;
    var form = cancel.closest("form");
    var state = form && form.draftState;
    if (!state || !state.dirty || state.submitting) return;
    event.preventDefault();
    if (window.confirm(labels.leave || "")) event.detail.issueRequest(true);
  });
})();
