// MPF Portal: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // A file over the portal's limit is refused here, before the form is sent: the server refuses such
  // an upload before reading the request, so the form's other fields would come back empty.
  function sizeText(bytes) {
    var units = ["B", "KB", "MB", "GB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
  }

  function tooLarge(input) {
    var limit = Number(input.dataset.maxBytes);
    var file = input.files && input.files[0];
    return file && limit && file.size > limit ? file : null;
  }

  function showSize(input) {
    var id = input.id + "-size-error";
    var note = document.getElementById(id);
    var file = tooLarge(input);
    if (!file) {
      if (note) note.remove();
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
      return true;
    }
    if (!note) {
      note = document.createElement("div");
      note.id = id;
      note.className = "invalid-feedback d-block";
      note.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", note);
    }
    note.textContent = input.dataset.tooLarge.replace("{size}", sizeText(file.size));
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), id].filter(Boolean).join(" "));
    return false;
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-max-bytes]")) showSize(event.target);
  });

  document.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i += 1) {
      if (!showSize(inputs[i])) {
        event.preventDefault();
        inputs[i].focus();
        return;
      }
    }
  });
})();
