// The section editor: a formatting toolbar over a textarea that keeps holding Markdown.
//
// Progressive enhancement: the page works with the plain textarea alone. This script hides the
// textarea, shows a rich-text editor (Tiptap, ProseMirror) in its place and writes the editor's
// content back into the textarea as Markdown on every change, so the form posts what it always
// posted. Opened and left unchanged, the textarea keeps the exact text it was given (no new
// version from a mere round trip). A "Markdown" button shows the textarea itself.
//
// Only what the portal's renderer shows is offered: paragraphs, sub-headings, bold, italic,
// strikethrough, bulleted and numbered lists (nested), block quotes, links, tables and footnotes
// (footnotes.js).

import { Editor } from "@tiptap/core";
import { Table, TableCell, TableHeader, TableRow } from "@tiptap/extension-table";
import Text from "@tiptap/extension-text";
import StarterKit from "@tiptap/starter-kit";
import { Markdown } from "tiptap-markdown";

import { FootnoteDefinition, FootnoteInline, FootnoteReference, insertFootnote, nextFootnoteNumber } from "./footnotes.js";
import { cleanPastedHTML } from "./paste.js";

const MODE_KEY = "mpf-editor-mode";
const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

// Markdown tables have one line per cell: a cell holds exactly one paragraph, and the table is
// drawn without the inline styles Tiptap would add (the portal's CSP allows none).
const OneLineCell = TableCell.extend({ content: "paragraph" });
const OneLineHeader = TableHeader.extend({ content: "paragraph" });
const PlainTable = Table.extend({
  renderHTML({ HTMLAttributes }) {
    return ["table", { class: HTMLAttributes.class || null }, ["tbody", 0]];
  },
});

// The portal renders Markdown without raw HTML: "<" in a text is shown as typed, so it is written
// as typed (tiptap-markdown would write "&lt;", which renders the same but reads worse).
const PlainText = Text.extend({
  addStorage() {
    return { markdown: { serialize: (state, node) => state.text(node.text) } };
  },
});

function storedMode() {
  try {
    return window.localStorage.getItem(MODE_KEY);
  } catch {
    return null;
  }
}

function storeMode(mode) {
  try {
    window.localStorage.setItem(MODE_KEY, mode);
  } catch {
    /* private mode: the choice is not remembered */
  }
}

// Above the section's limit a text is kept in the Markdown field alone: ProseMirror would take
// seconds (tens of seconds for megabytes) to lay it out and to write it back on every change.
function tooLong(text, labels) {
  return labels.limit > 0 && text.length > labels.limit;
}

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
}

// The toolbar: [name, glyph shown, command, is-active test]. Labels come from the page.
function buttonSpecs(editor, actions) {
  const chain = () => editor.chain().focus();
  return [
    [
      ["bold", "B", () => chain().toggleBold().run(), () => editor.isActive("bold")],
      ["italic", "I", () => chain().toggleItalic().run(), () => editor.isActive("italic")],
      ["strike", "S", () => chain().toggleStrike().run(), () => editor.isActive("strike")],
    ],
    [
      ["heading", "H", () => chain().toggleHeading({ level: 3 }).run(), () => editor.isActive("heading")],
      ["bulletList", "•", () => chain().toggleBulletList().run(), () => editor.isActive("bulletList")],
      ["orderedList", "1.", () => chain().toggleOrderedList().run(), () => editor.isActive("orderedList")],
      ["indent", "→", () => chain().sinkListItem("listItem").run(), null, () => editor.can().sinkListItem("listItem")],
      ["outdent", "←", () => chain().liftListItem("listItem").run(), null, () => editor.can().liftListItem("listItem")],
      ["blockquote", "“", () => chain().toggleBlockquote().run(), () => editor.isActive("blockquote")],
    ],
    [
      ["link", "", actions.link, () => editor.isActive("link")],
      ["footnote", "¹", () => insertFootnote(editor), null, () => !editor.isActive("footnoteDefinition")],
    ],
    [
      ["table", "▦", () => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(), null,
        () => !editor.isActive("table")],
      ["addRow", "+≡", () => chain().addRowAfter().run(), null, () => editor.can().addRowAfter()],
      ["addColumn", "+‖", () => chain().addColumnAfter().run(), null, () => editor.can().addColumnAfter()],
      ["deleteRow", "−≡", () => chain().deleteRow().run(), null, () => editor.can().deleteRow()],
      ["deleteColumn", "−‖", () => chain().deleteColumn().run(), null, () => editor.can().deleteColumn()],
      ["deleteTable", "✕▦", () => chain().deleteTable().run(), null, () => editor.can().deleteTable()],
    ],
    [
      ["undo", "↶", () => chain().undo().run(), null, () => editor.can().undo()],
      ["redo", "↷", () => chain().redo().run(), null, () => editor.can().redo()],
    ],
  ];
}

function makeButton(name, glyph, labels) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-outline-secondary";
  button.dataset.command = name;
  button.title = labels[`${name}Hint`] || labels[name];
  button.tabIndex = -1;
  const shown = document.createElement("span");
  shown.setAttribute("aria-hidden", "true");
  shown.textContent = glyph;
  const spoken = document.createElement("span");
  spoken.className = "visually-hidden";
  spoken.textContent = labels[name];
  button.append(shown, spoken);
  return button;
}

// Arrow keys move between the toolbar's buttons; Tab leaves it (one tab stop, as ARIA advises).
function rovingFocus(toolbar) {
  const enabled = () => [...toolbar.querySelectorAll("button")].filter((button) => !button.disabled);
  const focusOn = (button) => {
    toolbar.querySelectorAll("button").forEach((other) => (other.tabIndex = -1));
    button.tabIndex = 0;
    button.focus();
  };
  toolbar.addEventListener("keydown", (event) => {
    const buttons = enabled();
    const at = buttons.indexOf(document.activeElement);
    const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1 };
    if (!(event.key in moves) || at < 0) return;
    event.preventDefault();
    focusOn(buttons[(moves[event.key] + buttons.length) % buttons.length]);
  });
  toolbar.addEventListener("focusin", (event) => {
    if (event.target.tagName === "BUTTON") focusOn(event.target);
  });
  return () => {
    const buttons = enabled();
    if (buttons.length && !buttons.some((button) => button.tabIndex === 0)) buttons[0].tabIndex = 0;
  };
}

function labelFor(textarea) {
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  if (label && !label.id) label.id = `${textarea.id}-label`;
  return label;
}

function setUp(textarea, labels) {
  const label = labelFor(textarea);
  const wrapper = document.createElement("div");
  wrapper.className = "rich-editor";
  const toolbar = document.createElement("div");
  toolbar.className = "rich-editor-toolbar btn-toolbar gap-1";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", labels.toolbar);
  const note = document.createElement("div");
  note.className = "rich-editor-note alert alert-warning py-1 px-2 mb-0 small";
  note.setAttribute("role", "status");
  note.hidden = true;
  const surface = document.createElement("div");
  surface.className = "rich-editor-surface";
  wrapper.append(toolbar, note, surface);
  // The textarea stays where it is, after the editor, so that its error message still follows it.
  textarea.parentNode.insertBefore(wrapper, textarea);

  let source = textarea.value; // the text as given; posted again as long as nothing changed
  let loaded = null; // the document it was read into
  let markdownMode = false;
  const showTooLong = (length) => {
    note.textContent = format(labels.tooLong, {
      length: length.toLocaleString(document.documentElement.lang || undefined),
      limit: labels.limit.toLocaleString(document.documentElement.lang || undefined),
    });
    note.hidden = false;
  };
  const sync = (editor) => {
    textarea.value = editor.state.doc.eq(loaded) ? source : editor.storage.markdown.getMarkdown();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const describedBy = textarea.getAttribute("aria-describedby");
  const editor = new Editor({
    element: surface,
    injectCSS: false, // the styles are in editor.css: the CSP allows no inline <style>
    content: tooLong(source, labels) ? "" : source,
    extensions: [
      StarterKit.configure({
        underline: false, // Markdown has no underline
        text: false, // PlainText below
        trailingNode: false, // would change a text that was only opened
        codeBlock: { HTMLAttributes: { class: null } },
        heading: { levels: [1, 2, 3, 4, 5, 6] },
        link: {
          openOnClick: false,
          autolink: false,
          linkOnPaste: false,
          protocols: [],
          HTMLAttributes: { rel: "noopener noreferrer nofollow", target: null },
          isAllowedUri: (url) => SAFE_LINK.test(url || ""),
        },
      }),
      PlainText,
      PlainTable.configure({ resizable: false, View: null }),
      TableRow,
      OneLineHeader,
      OneLineCell,
      FootnoteReference,
      FootnoteInline,
      FootnoteDefinition,
      Markdown.configure({ html: false, tightLists: true, bulletListMarker: "-", linkify: false, breaks: false }),
    ],
    editorProps: {
      attributes: {
        class: "rich-editor-content form-control",
        role: "textbox",
        "aria-multiline": "true",
        ...(label ? { "aria-labelledby": label.id } : { "aria-label": labels.editor }),
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
        ...(textarea.lang ? { lang: textarea.lang } : {}),
        spellcheck: "true",
      },
      // A paste longer than a section may be goes into the Markdown field at the cursor's place,
      // with a note: nothing pasted is lost, and the page does not stall.
      handlePaste(view, event) {
        const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
        if (!tooLong(text, labels)) return false;
        event.preventDefault();
        const { from, to } = view.state.selection;
        const { serializer } = editor.storage.markdown;
        const before = serializer.serialize(view.state.doc.cut(0, from)).replace(/\s+$/, "");
        const after = serializer.serialize(view.state.doc.cut(to)).replace(/^\s+/, "");
        textarea.value = [before, text, after].filter(Boolean).join("\n\n");
        showMarkdown(true, true);
        showTooLong(textarea.value.length);
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
        return true;
      },
      transformPastedHTML(html) {
        const cleaned = cleanPastedHTML(html, nextFootnoteNumber(editor.state.doc));
        note.hidden = cleaned.images === 0;
        if (cleaned.images) note.textContent = format(labels.imagesDropped, { count: cleaned.images });
        return cleaned.html;
      },
      handleKeyDown(view, event) {
        if (event.altKey && event.key === "F10") {
          event.preventDefault();
          (toolbar.querySelector('button[tabindex="0"]') || toolbar.querySelector("button")).focus();
          return true;
        }
        return false;
      },
    },
    onUpdate: ({ editor: current }) => sync(current),
  });
  loaded = editor.state.doc;

  const actions = {
    link() {
      const current = editor.getAttributes("link").href || "https://";
      const answer = window.prompt(labels.linkPrompt, current);
      if (answer === null) return;
      const url = answer.trim();
      if (!url || url === "https://") {
        editor.chain().focus().extendMarkRange("link").unsetLink().run();
      } else if (!SAFE_LINK.test(url)) {
        window.alert(labels.linkInvalid);
      } else if (editor.state.selection.empty && !editor.isActive("link")) {
        editor.chain().focus().insertContent({ type: "text", text: url, marks: [{ type: "link", attrs: { href: url } }] }).run();
      } else {
        editor.chain().focus().extendMarkRange("link").setLink({ href: url }).run();
      }
    },
  };
  const refreshers = [];
  buttonSpecs(editor, actions).forEach((group) => {
    const box = document.createElement("div");
    box.className = "btn-group btn-group-sm";
    box.setAttribute("role", "group");
    group.forEach(([name, glyph, run, active, possible]) => {
      const button = makeButton(name, glyph, labels);
      button.addEventListener("click", () => {
        run();
        // Tiptap focuses on the next frame: keys typed before then would go to the button.
        if (!markdownMode) editor.view.focus();
      });
      box.appendChild(button);
      refreshers.push(() => {
        if (active) button.setAttribute("aria-pressed", active() ? "true" : "false");
        if (possible) button.disabled = !possible();
      });
    });
    toolbar.appendChild(box);
  });
  const sourceButton = makeButton("markdown", "M↓", labels);
  sourceButton.classList.add("ms-auto", "rich-editor-source");
  // Words rather than symbols where no symbol is plain: the visible word is the button's name.
  [sourceButton, ...toolbar.querySelectorAll('[data-command="link"], [data-command="footnote"]')].forEach((button) => {
    const shown = button.querySelector("[aria-hidden]");
    shown.textContent = labels[button.dataset.command];
    shown.removeAttribute("aria-hidden");
    button.querySelector(".visually-hidden").remove();
  });
  toolbar.appendChild(sourceButton);
  const resetTabStop = rovingFocus(toolbar);

  const refresh = () => {
    refreshers.forEach((update) => update());
    toolbar.querySelectorAll("button[data-command]").forEach((button) => {
      if (button !== sourceButton && markdownMode) button.disabled = true;
    });
    sourceButton.setAttribute("aria-pressed", markdownMode ? "true" : "false");
    resetTabStop();
  };
  editor.on("transaction", refresh);

  const showMarkdown = (wanted, focus) => {
    const on = wanted || tooLong(textarea.value, labels);
    if (on && !wanted) showTooLong(textarea.value.length);
    else if (!on) note.hidden = true;
    markdownMode = on;
    textarea.hidden = !on;
    surface.hidden = on;
    wrapper.classList.toggle("rich-editor-markdown", on);
    if (!on && textarea.value !== editor.storage.markdown.getMarkdown()) {
      source = textarea.value;
      editor.commands.setContent(source, { emitUpdate: false });
      loaded = editor.state.doc;
    }
    refresh();
    if (focus) (on ? textarea : editor.view.dom).focus();
  };
  sourceButton.addEventListener("click", () => {
    const wanted = !markdownMode;
    showMarkdown(wanted, true);
    storeMode(wanted ? "markdown" : "rich");
  });
  // Another script (restoring a draft) replaced the text: read it again.
  textarea.addEventListener("mpf:replaced", () => {
    source = textarea.value;
    if (tooLong(source, labels)) {
      showMarkdown(true, false);
      return;
    }
    editor.commands.setContent(source, { emitUpdate: false });
    loaded = editor.state.doc;
    refresh();
  });
  if (label) {
    label.addEventListener("click", (event) => {
      if (markdownMode) return;
      event.preventDefault();
      editor.commands.focus();
    });
  }
  showMarkdown(storedMode() === "markdown", false);
  // A field with an error stays marked as such in the editor too.
  if (textarea.classList.contains("is-invalid")) editor.view.dom.classList.add("is-invalid");
  wrapper.editor = editor;
  return editor;
}

// Every rich-text field under `root` not set up yet: the page's, and those an htmx answer brings
// (the concept page opens a section's editor in place).
function start(root) {
  const labelsElement = document.getElementById("rich-editor-labels");
  if (!labelsElement || !root || !root.querySelectorAll) return;
  const labels = JSON.parse(labelsElement.textContent);
  const fields = [...root.querySelectorAll("textarea[data-rich-editor]")];
  if (root.matches && root.matches("textarea[data-rich-editor]")) fields.push(root);
  fields.forEach((textarea) => {
    if (textarea.dataset.richEditorReady) return;
    textarea.dataset.richEditorReady = "yes";
    setUp(textarea, labels);
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => start(document));
} else {
  start(document);
}
document.addEventListener("htmx:load", (event) => start(event.detail.elt));
