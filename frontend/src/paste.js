// What is kept of HTML pasted from Word, LibreOffice or a web page: headings, paragraphs, lists,
// tables, bold, italic, strikethrough, links and Word's footnotes. Everything else is taken out before the editor
// sees it: styles, fonts, classes, Word's comments and its conditional comments, images (counted,
// so that the editor can say they were dropped), scripts, forms and embedded objects.
//
// The editor's schema would drop most of this anyway; cleaning first makes the result the same
// whatever the schema learns later, and turns Word's list paragraphs into real lists. The server
// never trusts any of it: it sanitises what it renders.

const DROPPED = "script, style, meta, link, title, template, noscript, object, embed, iframe, frame, " +
  "form, input, button, select, textarea, svg, math, video, audio, canvas, xml";
const IMAGES = "img, picture, image, v\\:imagedata, v\\:shape";
const WORD_COMMENTS = "[class^='MsoComment'], [class*=' MsoComment'], .msocomtxt, .msocomoff";
const KEPT_ATTRIBUTES = { a: ["href"], ol: ["start"], sup: ["data-footnote-ref"], div: ["data-footnote-def"] };
const STYLE = "data-x-style";

// Even an inert parse (DOMParser) reports every style attribute and event handler it meets as a
// breach of the page's Content Security Policy. Renamed inside the tags first, they are plain
// data: the styles are still read below (Word keeps its lists there), the handlers never are.
function defuse(html) {
  return html.replace(/<style[\s\S]*?<\/style\s*>/gi, "").replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(/(\s)(style|on[a-z]+)(\s*=)/gi, "$1data-x-$2$3"));
}

function isWordComment(element) {
  const style = element.getAttribute(STYLE) || "";
  if (/mso-element:\s*comment/i.test(style)) return true;
  const href = element.getAttribute("href") || "";
  if (element.tagName === "A" && /^#_msoc/i.test(href)) return true; // the [A1] reference marks
  const id = element.getAttribute("id") || "";
  return /^_com_\d+$/i.test(id);
}

function removeComments(root) {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  const comments = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) comments.push(node);
  comments.forEach((node) => node.remove());
}

// Word writes a list as paragraphs with "mso-list: l0 level2 lfo1" in their style and the bullet
// or number as text in a span marked "mso-list: Ignore". Consecutive ones become nested lists.
function wordListLevel(paragraph) {
  const style = paragraph.getAttribute(STYLE) || "";
  const match = /mso-list:\s*l\d+\s+level(\d+)/i.exec(style);
  return match ? Number(match[1]) : 0;
}

function wordListMarker(paragraph) {
  const marker = [...paragraph.querySelectorAll("span")].find((span) =>
    /mso-list:\s*ignore/i.test(span.getAttribute(STYLE) || ""),
  );
  const text = marker ? marker.textContent.replace(/\u00a0/g, " ").trim() : "";
  if (marker) marker.remove();
  return /^(\d+|[a-z]|[ivxlc]+)[.)]$/i.test(text) ? "ol" : "ul";
}

function convertWordLists(root) {
  const doc = root.ownerDocument;
  const paragraphs = [...root.querySelectorAll("p")].filter((p) => wordListLevel(p) > 0);
  let stack = []; // [{list, level}] of the run being built
  let previous = null;
  paragraphs.forEach((paragraph) => {
    const level = wordListLevel(paragraph);
    const kind = wordListMarker(paragraph);
    if (previous === null || paragraph.previousElementSibling !== previous) stack = [];
    while (stack.length && stack[stack.length - 1].level > level) stack.pop();
    let top = stack[stack.length - 1];
    if (!top || top.level < level) {
      const list = doc.createElement(kind);
      if (top) {
        top.list.lastElementChild.appendChild(list);
      } else {
        paragraph.parentNode.insertBefore(list, paragraph);
      }
      top = { list, level };
      stack.push(top);
    }
    const item = doc.createElement("li");
    while (paragraph.firstChild) item.appendChild(paragraph.firstChild);
    top.list.appendChild(item);
    // The paragraph stays in place, empty, as the marker that the run continues; removed below.
    paragraph.dataset.listed = "1";
    previous = paragraph;
  });
  root.querySelectorAll("p[data-listed]").forEach((paragraph) => paragraph.remove());
}

// Word's footnotes: a reference <a href="#_ftn1" name="_ftnref1"> in the text, and the note
// <div style="mso-element:footnote" id="ftn1"> (its first paragraph starting with a link back)
// in a footnote list at the end. They become the editor's footnotes (footnotes.js), numbered from
// `first` so that they follow the notes the text has already.
function convertWordFootnotes(root, first) {
  const doc = root.ownerDocument;
  const labels = new Map();
  root.querySelectorAll('a[href^="#_ftn"]:not([href^="#_ftnref"])').forEach((reference) => {
    const id = reference.getAttribute("href").slice(1);
    if (!labels.has(id)) labels.set(id, String(first + labels.size));
    const sup = doc.createElement("sup");
    sup.setAttribute("data-footnote-ref", labels.get(id));
    reference.replaceWith(sup);
  });
  root.querySelectorAll("div[id^='_ftn'], div[id^='ftn']").forEach((note) => {
    const label = labels.get(note.id.startsWith("_") ? note.id : `_${note.id}`);
    if (!label || !/mso-element:\s*footnote\b/i.test(note.getAttribute(STYLE) || "")) return;
    note.querySelectorAll('a[href^="#_ftnref"]').forEach((back) => back.remove());
    const definition = doc.createElement("div");
    definition.setAttribute("data-footnote-def", label);
    while (note.firstChild) definition.appendChild(note.firstChild);
    definition.querySelectorAll("p").forEach((paragraph) => {
      paragraph.innerHTML = paragraph.innerHTML.replace(/^(\s|&nbsp;)+/, "");
    });
    note.replaceWith(definition);
  });
  // The rule Word draws above its notes.
  root.querySelectorAll("div").forEach((list) => {
    if (/mso-element:\s*footnote-list/i.test(list.getAttribute(STYLE) || "")) {
      list.querySelectorAll("hr, br").forEach((line) => line.remove());
    }
  });
}

// A Markdown table has one header row and cells of one line: the first row becomes the header,
// and several paragraphs in a cell are joined.
function normaliseTables(root) {
  const doc = root.ownerDocument;
  root.querySelectorAll("table").forEach((table) => {
    table.querySelectorAll("table").forEach((inner) => inner.replaceWith(doc.createTextNode(inner.textContent)));
    const rows = [...table.querySelectorAll("tr")];
    rows.forEach((row, index) => {
      [...row.children].forEach((cell) => {
        const wanted = index === 0 ? "th" : "td";
        const blocks = [...cell.querySelectorAll("p, div, h1, h2, h3, h4, h5, h6, li")];
        const replacement = doc.createElement(wanted);
        if (blocks.length > 1) {
          blocks.forEach((block, at) => {
            if (at) replacement.appendChild(doc.createTextNode(" "));
            while (block.firstChild) replacement.appendChild(block.firstChild);
          });
        } else {
          while (cell.firstChild) replacement.appendChild(cell.firstChild);
        }
        cell.replaceWith(replacement);
      });
    });
  });
}

function stripAttributes(root) {
  root.querySelectorAll("*").forEach((element) => {
    const kept = KEPT_ATTRIBUTES[element.tagName.toLowerCase()] || [];
    [...element.attributes].forEach((attribute) => {
      if (!kept.includes(attribute.name)) element.removeAttribute(attribute.name);
    });
    if (element.tagName === "A" && !/^(https?:|mailto:)/i.test(element.getAttribute("href") || "")) {
      element.removeAttribute("href"); // javascript:, data: and relative links are not kept
    }
  });
}

// The font-weight property itself: Word marks its own bold <b style='mso-bidi-font-weight:normal'>,
// which is about right-to-left text and must not unbold it.
const NOT_BOLD = /(?:^|;)\s*font-weight:\s*(normal|[1-4]00)/i;
const BOLD = /(?:^|;)\s*font-weight:\s*(bold|[6-9]00)/i;

// Word and Google Docs mark bold and italic in styles, which are about to go.
function stylesToElements(root) {
  const doc = root.ownerDocument;
  // Google Docs wraps the whole clipboard in <b style="font-weight:normal">: not bold at all.
  root.querySelectorAll("b[data-x-style], strong[data-x-style]").forEach((element) => {
    if (NOT_BOLD.test(element.getAttribute(STYLE) || "")) {
      const span = doc.createElement("span");
      while (element.firstChild) span.appendChild(element.firstChild);
      element.replaceWith(span);
    }
  });
  root.querySelectorAll("span[data-x-style], font[data-x-style]").forEach((span) => {
    const style = span.getAttribute(STYLE) || "";
    let wrapper = null;
    if (BOLD.test(style)) wrapper = doc.createElement("strong");
    if (/font-style:\s*italic/i.test(style)) {
      const em = doc.createElement("em");
      if (wrapper) wrapper.appendChild(em);
      wrapper = wrapper || em;
    }
    if (!wrapper) return;
    const innermost = wrapper.querySelector("em") || wrapper;
    while (span.firstChild) innermost.appendChild(span.firstChild);
    span.appendChild(wrapper);
  });
}

/**
 * Cleans pasted HTML. Returns {html, images}: the HTML to paste and how many images were dropped.
 */
export function cleanPastedHTML(html, firstFootnote = 1) {
  const doc = new DOMParser().parseFromString(defuse(html), "text/html"); // inert: nothing runs or loads
  const root = doc.body;
  removeComments(root);
  const images = root.querySelectorAll(IMAGES).length;
  root.querySelectorAll(`${DROPPED}, ${IMAGES}, ${WORD_COMMENTS}`).forEach((element) => element.remove());
  [...root.querySelectorAll("*")].filter(isWordComment).forEach((element) => element.remove());
  // Paragraphs left empty (an image's, Word's spacers) would be blank lines in the text.
  root.querySelectorAll("p").forEach((paragraph) => {
    if (!paragraph.textContent.replace(/\u00a0/g, " ").trim()) paragraph.remove();
  });
  convertWordLists(root);
  convertWordFootnotes(root, firstFootnote);
  stylesToElements(root);
  normaliseTables(root);
  stripAttributes(root);
  return { html: root.innerHTML, images };
}
