// The conflict page: shows the whole text as it will be saved while the choices are made, and the
// "Edit" box of a passage only while "Edit" is chosen. Without JavaScript every box is shown and
// "Show the result" asks the server for the same preview; nothing here is needed to save.
(function () {
  "use strict";
  var form = document.getElementById("resolver");
  var source = document.getElementById("resolver-data");
  var preview = document.getElementById("resolution-preview");
  if (!form || !source || !preview) return;
  var data = JSON.parse(source.textContent);
  var status = document.getElementById("resolver-status");

  function chosen(index) {
    var radio = form.querySelector('input[name="choice_' + index + '"]:checked');
    return radio ? radio.value : "";
  }

  // As the server's merging.fit_edited: the edited wording keeps the passage's line breaks around it.
  function fitEdited(conflict, text) {
    var core = text.replace(/\r\n?/g, "\n").replace(/^\n+|\n+$/g, "");
    if (!core.trim()) return "";
    return conflict.edges[0] + core + conflict.edges[1];
  }

  function passage(index) {
    var conflict = data.conflicts[index];
    var choice = chosen(index);
    if (choice === "mine") return conflict.mine;
    if (choice === "theirs") return conflict.theirs;
    if (choice === "both") return conflict.both;
    if (choice === "edit") return fitEdited(conflict, form.elements["edited_" + index].value);
    return null;
  }

  function render() {
    var fragment = document.createDocumentFragment();
    data.parts.forEach(function (part) {
      if (typeof part === "string") {
        fragment.appendChild(document.createTextNode(part));
        return;
      }
      var text = passage(part);
      var element = document.createElement(text === null ? "span" : "mark");
      if (text === null) element.className = "resolution-pending";
      element.textContent = text === null ? data.pending[part] : text;
      fragment.appendChild(element);
    });
    preview.textContent = "";
    preview.appendChild(fragment);
    data.conflicts.forEach(function (conflict, index) {
      var box = form.querySelector('[data-edit-for="' + index + '"]');
      if (box) box.hidden = chosen(index) !== "edit";
    });
  }

  form.addEventListener("change", function (event) {
    var match = /^choice_(\d+)$/.exec(event.target.name || "");
    render();
    if (match && status) {
      var label = form.querySelector('label[for="' + event.target.id + '"]');
      status.textContent = data.chosen[Number(match[1])].replace("%s", label ? label.textContent : event.target.value);
    }
  });
  form.addEventListener("input", function (event) {
    if (/^edited_\d+$/.test(event.target.name || "")) render();
  });
  render();
})();
