// The project form's enhancements; the form works without them (templates/projects/project_form.html).
// - the slug follows the title as it is typed, until the slug is edited by hand;
// - "Add another partner" adds a partner row (the form has a few empty rows without it);
// - the country picker gets a filter box and a list of the chosen countries with remove buttons.
(function () {
  "use strict";

  function slugify(text) {
    return text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 110)
      .replace(/-+$/, "");
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, name) {
      return values[name];
    });
  }

  function slugFollowsTitle(slug) {
    var title = document.getElementById(slug.dataset.slugFrom);
    if (!title) return;
    var edited = slug.value !== "" && slug.value !== slugify(title.value);
    title.addEventListener("input", function () {
      if (!edited) slug.value = slugify(title.value);
    });
    slug.addEventListener("input", function () {
      edited = slug.value !== "";
    });
  }

  function partnerRows(form) {
    var button = form.querySelector("[data-add-partner]");
    var template = form.querySelector("template[data-partner-template]");
    var list = form.querySelector("[data-partner-rows]");
    var total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var most = form.querySelector("input[name$='-MAX_NUM_FORMS']");
    var status = form.querySelector("[data-partner-status]");
    if (!button || !template || !list || !total) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (most && index >= parseInt(most.value, 10)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var row = list.lastElementChild;
      var first = row && row.querySelector("select, input");
      if (first) first.focus();
      if (status) status.textContent = format(status.dataset.added, { number: index + 1 });
    });
  }

  function countryPicker(picker) {
    var filterBox = picker.querySelector("[data-country-filter]");
    var filter = filterBox && filterBox.querySelector("input");
    var status = picker.querySelector("[data-filter-status]");
    var chosenList = picker.querySelector("[data-chosen-list]");
    var none = picker.querySelector("[data-none-chosen]");
    var noMatch = picker.querySelector("[data-no-match]");
    var options = Array.prototype.slice.call(picker.querySelectorAll("[data-country-name]"));
    var timer = null;

    function checkboxOf(option) {
      return option.querySelector("input[type=checkbox]");
    }

    function nameOf(option) {
      return option.querySelector("label").textContent.trim();
    }

    function showChosen() {
      chosenList.textContent = "";
      options.forEach(function (option) {
        var checkbox = checkboxOf(option);
        if (!checkbox.checked) return;
        var item = document.createElement("li");
        item.className = "list-inline-item badge text-bg-light border";
        item.dataset.code = checkbox.value;
        item.appendChild(document.createTextNode(nameOf(option)));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-sm btn-outline-secondary";
        remove.setAttribute("aria-label", format(chosenList.dataset.removeLabel, { country: nameOf(option) }));
        remove.textContent = "\u00d7";
        remove.addEventListener("click", function () {
          var next = item.nextElementSibling || item.previousElementSibling;
          checkbox.checked = false;
          changed(option);
          var target = next && chosenList.querySelector("[data-code='" + next.dataset.code + "'] button");
          (target || filter || checkbox).focus();
        });
        item.appendChild(remove);
        chosenList.appendChild(item);
      });
      if (none) none.hidden = chosenList.children.length > 0;
    }

    function changed(option) {
      showChosen();
      if (status) {
        var message = checkboxOf(option).checked ? status.dataset.added : status.dataset.removed;
        status.textContent = format(message, { country: nameOf(option) });
      }
    }

    function applyFilter() {
      var query = filter.value.trim().toLowerCase();
      var count = 0;
      options.forEach(function (option) {
        var match = query === "" || option.dataset.countryName.indexOf(query) !== -1;
        option.hidden = !match;
        if (match) count += 1;
      });
      if (noMatch) noMatch.hidden = count > 0;
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (status) status.textContent = format(count === 1 ? status.dataset.matchOne : status.dataset.matchMany, { count: count });
      }, 400);
    }

    options.forEach(function (option) {
      checkboxOf(option).addEventListener("change", function () {
        changed(option);
      });
    });
    if (filter) {
      filterBox.hidden = false;
      filter.addEventListener("input", applyFilter);
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault(); // a filter, not the form's submit
      });
    }
    showChosen();
  }

  document.querySelectorAll("input[data-slug-from]").forEach(slugFollowsTitle);
  document.querySelectorAll("form[data-project-form]").forEach(partnerRows);
  document.querySelectorAll("[data-country-picker]").forEach(countryPicker);
})();
