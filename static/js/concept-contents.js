// The concept page's contents: the section being read is marked (aria-current) as the reader
// scrolls, and on a narrow screen the contents fold away into their summary, which names that
// section. Without JavaScript (or IntersectionObserver) the contents are a plain list of links.
(function () {
  "use strict";
  var nav = document.getElementById("concept-contents");
  var toggle = document.getElementById("contents");
  if (!nav || !toggle) return;
  var narrow = window.matchMedia("(max-width: 991.98px)");
  var current = document.getElementById("contents-current");
  if (narrow.matches) toggle.open = false;
  var links = {};
  Array.prototype.forEach.call(nav.querySelectorAll('a[href^="#section-"]'), function (link) {
    links[link.getAttribute("href").slice(1)] = link;
    link.addEventListener("click", function () {
      if (narrow.matches) toggle.open = false;
    });
  });
  if (!("IntersectionObserver" in window)) return;
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.concept-section[id]"));

  function mark(id) {
    Object.keys(links).forEach(function (key) {
      if (key === id) links[key].setAttribute("aria-current", "location");
      else links[key].removeAttribute("aria-current");
    });
    var link = links[id];
    if (!link) return;
    if (current) current.textContent = " · " + link.textContent;
    var list = nav.querySelector(".concept-outline");
    if (list && !narrow.matches) {
      // Keep the marked entry in view inside the contents pane, without scrolling the page.
      var top = link.getBoundingClientRect().top - nav.getBoundingClientRect().top + nav.scrollTop;
      if (top < nav.scrollTop || top > nav.scrollTop + nav.clientHeight - 40) nav.scrollTop = Math.max(0, top - 80);
    }
  }

  // The section being read: the last one whose heading has passed the upper third of the window.
  // The observer only says when a section crosses that line; the choice is then made on all of them.
  function reading() {
    var line = window.innerHeight * 0.3;
    var chosen = sections[0];
    for (var i = 0; i < sections.length; i++) {
      if (sections[i].getBoundingClientRect().top - line > 0) break;
      chosen = sections[i];
    }
    if (chosen) mark(chosen.id);
  }

  var observer = new IntersectionObserver(reading, { rootMargin: "0px 0px -70% 0px" });
  sections.forEach(function (section) { observer.observe(section); });
  // A section's block swapped for its editor, or back (editing in place): follow the new element.
  document.addEventListener("htmx:load", function (event) {
    var swapped = event.detail.elt;
    if (!swapped.matches || !swapped.matches("section.concept-section[id]")) return;
    sections = sections.map(function (section) { return section.id === swapped.id ? swapped : section; });
    observer.observe(swapped);
  });
})();
