// The section page's margin and its quote picker (templates/concepts/section_detail.html).
//
// Margin: each card in #margin names the words of its passage (data-passage) and which of their
// places in the text is meant (data-occurrence). The passage is marked in the text (underlined, not
// by colour alone) and followed by a numbered link to its card; the card's "Show the passage" brings
// the passage back into view. On wide screens each card is moved down beside its passage; on narrow
// ones each card follows the paragraph that holds its passage (moved into the text, and skipped by
// everything here that reads the text). Without this script the cards stay one after another below
// the text, in reading order.
//
// Quote picker: a "Comment on this paragraph" button beside every paragraph opens the paragraph in a
// text box that refuses changes, where a passage is selected with Shift and the arrow keys (or the selection
// handles of a touch screen); "Use selected text" copies it into the comment form's quote field, with
// which of its places in the text it is (quote_occurrence), and puts the cursor into the comment.
(function () {
  "use strict";
  var WIDE = window.matchMedia("(min-width: 1100px)");
  var MARKUP = /\]\([^)\s]*\)|[*_~`\\[\]]/g; // Markdown a suggestion's quote may carry, not shown on the page
  // Tables are left out: a button in the gutter of a cell would cover the cell before it (a passage of
  // a table is quoted by selecting it).
  var BLOCKS = "p, li, pre, h2, h3, h4, h5, h6, blockquote";

  function normalise(text) {
    return text.replace(/\s+/g, " ");
  }

  // Text of the section itself: not that of a card moved in after its paragraph (on phones).
  var TEXT_ONLY = {
    acceptNode: function (node) {
      var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
      return element && element.closest(".margin-note") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    },
  };

  // The section's text with runs of white space as one space, and where each of its characters is.
  function textMap(root) {
    var chars = [];
    var positions = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, TEXT_ONLY);
    var lastSpace = true;
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      for (var i = 0; i < node.data.length; i += 1) {
        var space = /\s/.test(node.data[i]);
        if (space && lastSpace) continue;
        chars.push(space ? " " : node.data[i]);
        positions.push({ node: node, offset: i });
        lastSpace = space;
      }
    }
    return { text: chars.join(""), positions: positions };
  }

  function findNth(haystack, needle, nth) {
    var at = -1;
    for (var count = 0; count < nth; count += 1) {
      at = haystack.indexOf(needle, at + 1);
      if (at < 0) return -1;
    }
    return at;
  }

  function locate(root, passage, occurrence) {
    var map = textMap(root);
    var wanted = normalise(passage).trim();
    var start = findNth(map.text, wanted, occurrence);
    if (start < 0) {
      // A suggestion quotes the Markdown source: look for the words the page shows.
      wanted = normalise(passage.replace(/^\s*(?:[-*+]|\d{1,9}[.)]|>)\s+/gm, "").replace(MARKUP, "")).trim();
      start = wanted ? findNth(map.text, wanted, occurrence) : -1;
    }
    if (start < 0) return null;
    var first = map.positions[start];
    var last = map.positions[start + wanted.length - 1];
    var range = document.createRange();
    range.setStart(first.node, first.offset);
    range.setEnd(last.node, last.offset + 1);
    return range;
  }

  // Wraps every piece of text inside `range` in <mark>; returns the marks in reading order.
  function markRange(range, number) {
    var nodes = [];
    var walker = document.createTreeWalker(range.commonAncestorContainer, NodeFilter.SHOW_TEXT);
    if (range.commonAncestorContainer.nodeType === Node.TEXT_NODE) nodes.push(range.commonAncestorContainer);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (range.intersectsNode(node)) nodes.push(node);
    }
    var startNode = range.startContainer, startOffset = range.startOffset;
    var endNode = range.endContainer, endOffset = range.endOffset;
    return nodes.map(function (text) {
      var from = text === startNode ? startOffset : 0;
      var to = text === endNode ? endOffset : text.data.length;
      if (to < text.data.length) text.splitText(to);
      if (from > 0) text = text.splitText(from);
      var mark = document.createElement("mark");
      mark.className = "passage";
      mark.setAttribute("data-number", number);
      text.parentNode.insertBefore(mark, text);
      mark.appendChild(text);
      return mark;
    }).filter(function (mark) { return mark.textContent.trim() !== ""; });
  }

  function highlight(card, marks) {
    document.querySelectorAll(".passage-current, .margin-note-current").forEach(function (element) {
      element.classList.remove("passage-current", "margin-note-current");
    });
    card.classList.add("margin-note-current");
    marks.forEach(function (mark) { mark.classList.add("passage-current"); });
  }

  function setUpMargin(text, margin) {
    var notes = [];
    margin.querySelectorAll("article.margin-note").forEach(function (card) {
      if (card.getAttribute("data-margin-ready")) return;
      card.setAttribute("data-margin-ready", "1");
      var number = card.getAttribute("data-number");
      var range = locate(text, card.getAttribute("data-passage") || "", parseInt(card.getAttribute("data-occurrence"), 10) || 1);
      if (!range) return;
      var marks = markRange(range, number);
      if (!marks.length) return;
      var heading = card.querySelector("h3");
      var marker = document.createElement("a");
      marker.className = "passage-marker";
      marker.href = "#" + card.id;
      marker.id = "passage-" + card.id;
      marker.setAttribute("data-number", number);
      marker.setAttribute("aria-label", normalise(heading ? heading.textContent : number).trim());
      var lastMark = marks[marks.length - 1];
      lastMark.parentNode.insertBefore(marker, lastMark.nextSibling);
      marker.addEventListener("click", function (event) {
        event.preventDefault();
        highlight(card, marks);
        card.scrollIntoView({ block: "nearest" });
        card.focus({ preventScroll: true });
      });
      var show = card.querySelector(".show-passage");
      if (show) {
        show.hidden = false;
        show.addEventListener("click", function () {
          highlight(card, marks);
          marks[0].scrollIntoView({ block: "center" });
          marker.focus({ preventScroll: true });
        });
      }
      if (window.location.hash === "#" + card.id) highlight(card, marks); // just added, or linked to
      var block = blockOf(text, marks[0]);
      if (block) notes.push({ card: card, mark: marks[0], margin: margin, home: card.parentElement, block: block });
    });
    return notes;
  }

  // The block of the text (a paragraph, a list, a table…) that holds `mark`: a card follows it on phones.
  function blockOf(text, mark) {
    var block = mark;
    while (block.parentElement && block.parentElement !== text) block = block.parentElement;
    return block.parentElement === text ? block : null;
  }

  // Phones: each card right after the block that holds its passage (after the cards of earlier passages
  // of the same block), in the reader's interface language, as the text around it may be in another.
  // Wide screens: every card back where the page put it, in the margin, in reading order.
  function arrange(margin, notes) {
    var wide = WIDE.matches;
    notes.forEach(function (note) {
      var card = note.card;
      if (wide) {
        if (card.parentElement !== note.home) note.home.appendChild(card);
        card.classList.remove("margin-note-inline");
        card.removeAttribute("lang");
        return;
      }
      var anchor = note.block;
      while (anchor.nextElementSibling && anchor.nextElementSibling !== card &&
             anchor.nextElementSibling.classList.contains("margin-note")) {
        anchor = anchor.nextElementSibling;
      }
      if (anchor.nextElementSibling !== card) anchor.after(card);
      card.classList.add("margin-note-inline");
      card.setAttribute("lang", document.documentElement.lang || "");
    });
    // The margin's heading alone, with its cards all in the text, would announce an empty list.
    margin.hidden = !wide && !margin.querySelector("article.margin-note");
  }

  // Wide screens: each card level with its passage, or just below the card above it when that one
  // reaches further down. Measured one card after another, as each one moved moves those below it.
  function place(notes) {
    notes.forEach(function (note) { note.card.style.marginTop = ""; });
    if (notes.length) arrange(notes[0].margin, notes);
    if (!WIDE.matches) return;
    notes.forEach(function (note) {
      var below = note.mark.getBoundingClientRect().top - note.card.getBoundingClientRect().top;
      if (below > 0) note.card.style.marginTop = Math.round(below) + "px";
    });
  }

  function startMargin() {
    var text = document.getElementById("section-text");
    var margin = document.getElementById("margin");
    if (!text || !margin || !margin.querySelector("article.margin-note:not([data-margin-ready])")) return;
    var notes = setUpMargin(text, margin);
    var pending = false;
    function schedule() {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        place(notes);
      });
    }
    place(notes);
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(schedule);
      observer.observe(text);
      margin.querySelectorAll("article.margin-note").forEach(function (card) { observer.observe(card); });
    }
    window.addEventListener("resize", schedule);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(schedule);
  }

  // ---- the quote picker ----

  // How many times the words occur before the picked place (0: it is the first), as the server counts.
  function occurrenceBefore(map, quote, index) {
    var count = 0;
    var at = map.text.indexOf(quote);
    while (at >= 0 && at <= index) {
      count += 1;
      at = map.text.indexOf(quote, at + 1);
    }
    return Math.max(count, 1) - 1;
  }

  function startPicker() {
    var text = document.getElementById("section-text");
    var dialog = document.getElementById("quote-picker");
    var template = document.getElementById("paragraph-comment-button");
    var form = document.getElementById("comment-form");
    if (!text || !dialog || !template || !form || typeof dialog.showModal !== "function") return;
    var box = document.getElementById("quote-picker-text");
    var quote = form.querySelector('[name="quote"]');
    var occurrence = form.querySelector('[name="quote_occurrence"]');
    var body = form.querySelector('[name="body"]');
    var disclosure = document.getElementById("comment-quote");
    var current = null; // {button, start}: the paragraph being quoted from
    if (dialog.getAttribute("data-picker-ready")) return;
    dialog.setAttribute("data-picker-ready", "1");

    text.querySelectorAll(BLOCKS).forEach(function (block) {
      if (block.parentElement.closest(BLOCKS) || block.closest(".margin-note") || !block.textContent.trim()) return;
      var button = template.content.firstElementChild.cloneNode(true);
      block.classList.add("paragraph-quotable");
      block.insertBefore(button, block.firstChild);
      button.addEventListener("click", function () {
        var map = textMap(text);
        var indexes = [];
        map.positions.forEach(function (position, index) {
          if (block.contains(position.node)) indexes.push(index);
        });
        if (!indexes.length) return;
        var start = indexes[0];
        current = { button: button, start: start };
        shown = map.text.slice(start, indexes[indexes.length - 1] + 1);
        box.value = shown;
        dialog.showModal();
        box.focus();
        box.setSelectionRange(0, 0);
      });
    });

    // The paragraph is there to select from, not to change (see the template on why not `readonly`).
    var shown = "";
    box.addEventListener("beforeinput", function (event) { event.preventDefault(); });
    box.addEventListener("input", function () {
      var from = box.selectionStart;
      box.value = shown;
      box.setSelectionRange(from, from);
    });
    dialog.querySelector("[data-picker-cancel]").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () {
      if (dialog.returnValue !== "used" && current) current.button.focus();
      dialog.returnValue = "";
    });
    dialog.querySelector("[data-picker-use]").addEventListener("click", function () {
      var from = box.selectionStart, to = box.selectionEnd;
      if (from === to) { from = 0; to = box.value.length; }
      var picked = box.value.slice(from, to);
      var lead = picked.length - picked.replace(/^\s+/, "").length;
      picked = picked.trim();
      if (!picked) return;
      var map = textMap(text);
      quote.value = picked;
      if (occurrence) occurrence.value = occurrenceBefore(map, picked, current.start + from + lead);
      quote.dispatchEvent(new Event("input", { bubbles: true }));
      if (disclosure) disclosure.open = true;
      dialog.close("used");
      body.focus();
    });
    // A quote typed or selected by other means is found by its words: the first place they occur.
    quote.addEventListener("input", function (event) {
      if (event.isTrusted && occurrence) occurrence.value = "";
    });
  }

  // Touch screens: a passage selected in the text (a long press, then the handles) gets a floating
  // "Comment on the selected text" button below it, as a mouse's selection is copied on release.
  function startSelectionButton() {
    var text = document.getElementById("section-text");
    var template = document.getElementById("selection-comment-button");
    var form = document.getElementById("comment-form");
    if (!text || !template || !form || document.querySelector(".selection-comment")) return;
    var button = template.content.firstElementChild.cloneNode(true);
    button.hidden = true;
    document.body.appendChild(button);
    var picked = null; // {quote, occurrence}
    var timer = null;
    function update() {
      var selection = window.getSelection();
      picked = null;
      button.hidden = true;
      if (!selection || selection.isCollapsed || !selection.rangeCount) return;
      var range = selection.getRangeAt(0);
      var quote = selection.toString().trim();
      if (!quote || !text.contains(range.commonAncestorContainer)) return;
      var map = textMap(text);
      var at = 0;
      while (at < map.positions.length && !range.isPointInRange(map.positions[at].node, map.positions[at].offset)) at += 1;
      picked = { quote: quote, occurrence: occurrenceBefore(map, normalise(quote), at) };
      var place = range.getBoundingClientRect();
      button.style.top = Math.round(place.bottom + window.scrollY + 8) + "px";
      button.style.left = Math.round(Math.max(8, Math.min(place.left + window.scrollX, document.documentElement.clientWidth - button.offsetWidth - 8))) + "px";
      button.hidden = false;
    }
    document.addEventListener("selectionchange", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 250); // once the handles stop moving
    });
    button.addEventListener("click", function () {
      if (!picked) return;
      var quote = form.querySelector('[name="quote"]');
      var occurrence = form.querySelector('[name="quote_occurrence"]');
      quote.value = picked.quote;
      quote.dispatchEvent(new Event("input", { bubbles: true }));
      if (occurrence) occurrence.value = picked.occurrence;
      var disclosure = document.getElementById("comment-quote");
      if (disclosure) disclosure.open = true;
      button.hidden = true;
      form.querySelector('[name="body"]').focus();
    });
  }

  // The form shown again with errors marks its first field in error `autofocus`; a browser skips that
  // when the address names a place on the page (#new-comment), so the field is focused here.
  function focusError() {
    var field = document.querySelector("#comment-form [autofocus]");
    if (!field) return;
    field.focus();
    // Going to #new-comment once the page has loaded takes the focus away again: given back after.
    window.addEventListener("load", function () {
      window.setTimeout(function () {
        if (document.activeElement === field) return;
        field.focus({ preventScroll: true });
        var place = field.getBoundingClientRect();
        if (place.top < 0 || place.bottom > window.innerHeight) field.scrollIntoView({ block: "center" });
      }, 0);
    });
  }

  function start() {
    startPicker(); // its buttons are in the text before the cards are measured against it
    startMargin();
    startSelectionButton();
  }

  start();
  focusError();
  document.body.addEventListener("htmx:afterSettle", start);
})();
