// Footnotes, as the portal's renderer reads them (mdit-py-plugins' footnote plugin, the port of
// markdown-it-footnote used here): a reference `[^label]` in the text, and its definition
// `[^label]: the note` (further paragraphs indented by four spaces) after the text.
//
// The editor keeps each reference's label and writes it back as it was, so a text keeps its `[^1]`
// and `[^note]` references and their definitions exactly. markdown-it-footnote gathers the
// definitions at the end of the text, as the renderer shows them. An inline note `^[…]` is kept as
// written, shown raised in the text (it is edited in the Markdown view).

import { Node, mergeAttributes } from "@tiptap/core";
import { TextSelection } from "@tiptap/pm/state";
import footnotePlugin from "markdown-it-footnote";


// markdown-it-footnote's HTML, replaced by the plain elements the two nodes below read.
function setup(markdownit) {
  markdownit.use(footnotePlugin);
  const escape = markdownit.utils.escapeHtml;
  const rules = markdownit.renderer.rules;
  rules.footnote_ref = (tokens, idx, options, env) => {
    const { label, id } = tokens[idx].meta;
    if (label === undefined) return `<sup data-footnote-inline="${escape(env.footnotes.list[id].content)}"></sup>`;
    return `<sup data-footnote-ref="${escape(label)}"></sup>`;
  };
  rules.footnote_block_open = () => "";
  rules.footnote_block_close = () => "";
  // An inline note's text is in its reference already: its entry in the list of notes is skipped.
  rules.footnote_open = (tokens, idx) => {
    const { label } = tokens[idx].meta;
    return label === undefined ? "<div data-footnote-skip>" : `<div data-footnote-def="${escape(label)}">`;
  };
  rules.footnote_close = () => "</div>\n";
  rules.footnote_anchor = () => "";
}

const label = (attribute) => ({
  label: {
    default: "1",
    parseHTML: (element) => element.getAttribute(attribute),
    renderHTML: (attributes) => ({ [attribute]: attributes.label }),
  },
});

export const FootnoteReference = Node.create({
  name: "footnoteReference",
  group: "inline",
  inline: true,
  atom: true,
  selectable: true,
  addAttributes: () => label("data-footnote-ref"),
  parseHTML: () => [{ tag: "sup[data-footnote-ref]" }],
  renderHTML({ node, HTMLAttributes }) {
    return ["sup", mergeAttributes(HTMLAttributes, { class: "footnote-ref" }), `[${node.attrs.label}]`];
  },
  addStorage: () => ({
    markdown: {
      serialize: (state, node) => state.write(`[^${node.attrs.label}]`),
      parse: { setup },
    },
  }),
});

export const FootnoteInline = Node.create({
  name: "footnoteInline",
  group: "inline",
  inline: true,
  atom: true,
  selectable: true,
  addAttributes: () => ({
    source: {
      default: "",
      parseHTML: (element) => element.getAttribute("data-footnote-inline"),
      renderHTML: (attributes) => ({ "data-footnote-inline": attributes.source }),
    },
  }),
  parseHTML: () => [{ tag: "sup[data-footnote-inline]" }],
  renderHTML({ node, HTMLAttributes }) {
    return ["sup", mergeAttributes(HTMLAttributes, { class: "footnote-ref" }), `[${node.attrs.source}]`];
  },
  addStorage: () => ({
    markdown: { serialize: (state, node) => state.write(`^[${node.attrs.source}]`) },
  }),
});

export const FootnoteDefinition = Node.create({
  name: "footnoteDefinition",
  group: "block",
  content: "(paragraph | bulletList | orderedList | blockquote)+",
  defining: true,
  addAttributes: () => label("data-footnote-def"),
  parseHTML: () => [{ tag: "div[data-footnote-def]" }, { tag: "div[data-footnote-skip]", ignore: true }],
  renderHTML: ({ HTMLAttributes }) => ["div", mergeAttributes(HTMLAttributes, { class: "footnote-definition" }), 0],
  addStorage: () => ({
    markdown: {
      serialize(state, node) {
        state.wrapBlock("    ", `[^${node.attrs.label}]: `, node, () => state.renderContent(node));
      },
    },
  }),
});

// The toolbar's Footnote: a reference at the cursor, numbered after the highest number used, and
// its definition at the end of the text with the cursor in it, ready for the note.
// The number after the highest numbered label the text has (1 for a text without footnotes).
export function nextFootnoteNumber(doc) {
  let highest = 0;
  doc.descendants((node) => {
    if (node.type.name === "footnoteReference" || node.type.name === "footnoteDefinition") {
      const number = Number(node.attrs.label);
      if (Number.isInteger(number) && number > highest) highest = number;
    }
  });
  return highest + 1;
}

export function insertFootnote(editor) {
  const next = String(nextFootnoteNumber(editor.state.doc));
  return editor
    .chain()
    .focus()
    .insertContent({ type: "footnoteReference", attrs: { label: next } })
    .command(({ tr, state }) => {
      const end = tr.doc.content.size;
      const { footnoteDefinition, paragraph } = state.schema.nodes;
      tr.insert(end, footnoteDefinition.create({ label: next }, paragraph.create()));
      tr.setSelection(TextSelection.create(tr.doc, end + 2));
      return true;
    })
    .scrollIntoView()
    .run();
}
