// "Previous change" / "Next change" on a comparison (templates/concepts/_change_nav.html): moves the
// focus to each element marked data-change in turn, in reading order, says where the reader is
// ("Change 3 of 17": the label comes translated, with {current} and {total} to fill in) in a status
// the screen reader announces, and answers the keys N and P while the focus is on a change or here.
// Without this script the controls stay hidden.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function setUp(nav) {
    var stops = Array.prototype.slice.call(document.querySelectorAll("[data-change]"));
    if (!stops.length) return;
    var position = nav.querySelector("[data-change-position]");
    var previous = nav.querySelector('[data-change-step="-1"]');
    var next = nav.querySelector('[data-change-step="1"]');
    var current = -1;

    function mark(index) {
      if (current >= 0) stops[current].classList.remove("is-current");
      current = index;
      stops[current].classList.add("is-current");
      position.textContent = nav.dataset.positionLabel
        .replace("{current}", String(current + 1))
        .replace("{total}", String(stops.length));
      previous.disabled = current === 0;
      next.disabled = current === stops.length - 1;
    }

    function show(index) {
      var stop = stops[index];
      var folded = stop.closest("details:not([open])");
      if (folded) folded.open = true;
      mark(index);
      stop.focus({ preventScroll: true });
      stop.scrollIntoView({ block: "center", behavior: "instant" });
    }

    function step(by) {
      var index = current < 0 ? (by > 0 ? 0 : stops.length - 1) : current + by;
      if (index >= 0 && index < stops.length) show(index);
    }

    previous.addEventListener("click", function () { step(-1); });
    next.addEventListener("click", function () { step(1); });
    // N and P only while the focus is on a change or on these controls (WCAG 2.1.4: a one-letter
    // shortcut must not fire while the reader, or their speech software, types or acts elsewhere).
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
      if (!(nav.contains(event.target) || (event.target.closest && event.target.closest("[data-change]")))) return;
      var key = event.key.toLowerCase();
      if (key === "n" || key === "p") {
        event.preventDefault();
        step(key === "n" ? 1 : -1);
      }
    });
    // A change clicked in the text becomes the current one, so that "Next change" goes on from there.
    stops.forEach(function (stop, index) {
      stop.addEventListener("focus", function () {
        if (current !== index) mark(index);
      });
    });
    nav.hidden = false;
  }

  // A fold ("… 120 unchanged words …") whose words came with the page becomes a button that puts
  // them back in place (concepts/textdiff.py, expandable folds); the focus goes to the words shown.
  // A folded row of the side-by-side view has the same fold in both columns: one button (in the
  // first) opens both, and the "…" that cut the paragraphs just above and below it go too.
  function unfold(run) {
    run.hidden = true;
    run.nextElementSibling.hidden = false;
  }

  function unfoldable(run) {
    var words = run.nextElementSibling;
    var label = run.querySelector(".diff-fold");
    if (!words || !words.classList.contains("diff-fold-text") || !label) return;
    var row = run.closest("tr.diff-folded");
    if (row && row.querySelector(".diff-fold-toggle")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "diff-fold-toggle";
    button.setAttribute("aria-expanded", "false");
    button.textContent = label.textContent;
    label.textContent = "";
    label.appendChild(button);
    button.addEventListener("click", function () {
      if (row) {
        Array.prototype.forEach.call(row.querySelectorAll(".diff-fold-run"), unfold);
        [row.previousElementSibling, row.nextElementSibling].forEach(function (next) {
          if (!next) return;
          Array.prototype.forEach.call(next.querySelectorAll(".diff-trim"), function (mark) { mark.hidden = true; });
        });
        row.classList.remove("diff-folded");
      } else {
        unfold(run);
      }
      words.tabIndex = -1;
      words.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".diff-fold-run"), unfoldable);
    var nav = document.querySelector("[data-change-nav]");
    if (nav) setUp(nav);
  });
})();
