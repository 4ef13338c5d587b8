"""The parts of a Word file that python-docx has no API for: written as OOXML (ECMA-376).

- document language and proofing (`set_language`): the default run language of the styles
  (`w:lang`, e.g. ru-RU), the theme font language, and no `w:proofState` "already checked" flag
  left over from python-docx's template, so Word checks the spelling in the right dictionary;
- core and extended properties (`set_properties`): the template's author ("python-docx"), its
  dates (2013-12-23) and application ("Microsoft Macintosh Word") replaced by ours;
- numbered lists (`OrderedLists`): one numbering definition of our own, and one `w:num`
  instance for each list with `w:startOverride`, so that every list starts at 1 (or at the
  number its Markdown gave), where the template's single "List Number" instance would go on
  counting from the previous list;
- real footnotes (`Footnotes`): a footnotes part with Word's separator notes, and a
  `w:footnoteReference` where each note is referred to;
- a table of contents (`write_contents`) whose entries are written by us, linked to bookmarks
  on the headings, inside a TOC field: Word and LibreOffice show them as they are (nothing to
  refresh; there are no page numbers, which only a layout engine knows), and Word can refresh
  the field to add them.
"""

from __future__ import annotations

import datetime

from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

# BCP 47 tags Word's proofing tools know, for the languages the portal prints.
WORD_LANGUAGES = {"en": "en-GB", "ru": "ru-RU"}
GENERATOR = "MPF Portal"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def word_language(language: str) -> str:
    return WORD_LANGUAGES.get(language, language)


def _child(parent, tag: str, *, first: bool = False):
    """`parent`'s child `tag`, made if missing (`first`: as its first child)."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        if first:
            parent.insert(0, element)
        else:
            parent.append(element)
    return element


# --- Language ------------------------------------------------------------------------------------


def set_language(word, language: str) -> None:
    tag = word_language(language)
    styles = word.styles.element
    defaults = _child(styles, "w:docDefaults", first=True)
    run_defaults = _child(_child(defaults, "w:rPrDefault", first=True), "w:rPr")
    lang = _child(run_defaults, "w:lang")
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)
    lang.set(qn("w:bidi"), "ar-SA")
    # Styles that name a language of their own would keep it: they follow the document's.
    for style_lang in styles.iter(qn("w:lang")):
        if style_lang is not lang:
            style_lang.set(qn("w:val"), tag)
    settings = word.settings.element
    for proof_state in settings.findall(qn("w:proofState")):
        settings.remove(proof_state)  # "spelling and grammar checked": not by anyone, in no language
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), tag)
    # Word 2010's copy of the styles (stylesWithEffects.xml) would keep the template's en-US; later
    # versions do not read it, and the file is whole without it.
    for rel_id, relationship in list(word.part.rels.items()):
        if relationship.reltype == STYLES_WITH_EFFECTS:
            word.part.rels.pop(rel_id)


# --- Properties ----------------------------------------------------------------------------------

_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>{application}</Application><Company>{company}</Company><DocSecurity>0</DocSecurity>"
    "</Properties>"
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def set_properties(word, *, title: str, subject: str, author: str, language: str, now: datetime.datetime) -> None:
    properties = word.core_properties
    properties.title = title
    properties.subject = subject
    properties.author = author
    properties.last_modified_by = GENERATOR
    properties.language = word_language(language)
    properties.created = now
    properties.modified = now
    properties.revision = 1
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""
    for part in word.part.package.parts:
        if part.partname == "/docProps/app.xml":
            part._blob = _APP_XML.format(application=GENERATOR, company=_escape(author)).encode()
        if part.partname == "/docProps/thumbnail.jpeg":
            part._blob = b""
    # The template's thumbnail shows an empty page of another document: drop its relationship.
    package = word.part.package
    for rel_id, relationship in list(package.rels.items()):
        if relationship.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(rel_id)


# --- Numbered lists ------------------------------------------------------------------------------

_LEVEL_FORMATS = (("decimal", "%1."), ("lowerLetter", "%2)"), ("lowerRoman", "%3."))
ORDERED_LIST_ABSTRACT_ID = 900  # far from the template's own definitions


class OrderedLists:
    """Numbered lists that each count from their own start."""

    def __init__(self, word):
        self.numbering = word.part.numbering_part.element
        self._abstract_added = any(
            abstract.get(qn("w:abstractNumId")) == str(ORDERED_LIST_ABSTRACT_ID)
            for abstract in self.numbering.findall(qn("w:abstractNum"))
        )

    def _add_abstract(self) -> None:
        levels = "".join(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{360 * (level + 1) + 360}" w:hanging="360"/></w:pPr></w:lvl>'
            for level, (fmt, text) in enumerate(_LEVEL_FORMATS)
        )
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{ORDERED_LIST_ABSTRACT_ID}">'
            f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
        )
        # Every w:abstractNum must come before the first w:num.
        first_num = self.numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.numbering.append(abstract)
        self._abstract_added = True

    def new_list(self, *, level: int, start: int = 1) -> int:
        """The numId of a new list whose items at `level` (0-based) start at `start`."""
        if not self._abstract_added:
            self._add_abstract()
        num_ids = [int(num.get(qn("w:numId"))) for num in self.numbering.findall(qn("w:num"))]
        num_id = max(num_ids, default=0) + 1
        self.numbering.append(
            parse_xml(
                f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{ORDERED_LIST_ABSTRACT_ID}"/>'
                f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{max(start, 0)}"/></w:lvlOverride></w:num>'
            )
        )
        return num_id


def number_paragraph(paragraph, *, num_id: int, level: int) -> None:
    properties = paragraph._p.get_or_add_pPr()
    numbering = _child(properties, "w:numPr")
    _child(numbering, "w:ilvl").set(qn("w:val"), str(level))
    _child(numbering, "w:numId").set(qn("w:val"), str(num_id))


# --- Footnotes -----------------------------------------------------------------------------------

_FOOTNOTES_XML = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


class _FootnotesPart(XmlPart):
    pass


def _run_style(run, style_id: str) -> None:
    # By id: python-docx looks a style name up through the document part, which a note is not in.
    _child(run._r.get_or_add_rPr(), "w:rStyle", first=True).set(qn("w:val"), style_id)


class _Story:
    """What python-docx's Paragraph needs of its parent: the part that holds it (for hyperlinks)."""

    def __init__(self, part):
        self.part = part


class Footnotes:
    """The footnotes part of a Word file, made on the first note."""

    def __init__(self, word):
        self.word = word
        self.part = None
        self.count = 0

    def _add_part(self) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        document_part = self.word.part
        self.part = _FootnotesPart(
            PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, parse_xml(_FOOTNOTES_XML), document_part.package
        )
        document_part.relate_to(self.part, RELATIONSHIP_TYPE.FOOTNOTES)
        styles = self.word.styles
        text_style = styles.add_style("footnote text", WD_STYLE_TYPE.PARAGRAPH)
        text_style.element.set(qn("w:styleId"), "FootnoteText")
        text_style.base_style = styles["Normal"]
        text_style.font.size = Pt(8)
        text_style.paragraph_format.space_after = Pt(0)
        reference_style = styles.add_style("footnote reference", WD_STYLE_TYPE.CHARACTER)
        reference_style.element.set(qn("w:styleId"), "FootnoteReference")
        reference_style.font.superscript = True

    def add(self, paragraph):
        """Refers to a new footnote at the end of `paragraph`; answers the note's paragraph to write into."""
        from docx.text.paragraph import Paragraph

        if self.part is None:
            self._add_part()
        self.count += 1
        note_id = str(self.count)
        reference = paragraph.add_run()
        _run_style(reference, "FootnoteReference")
        mark = OxmlElement("w:footnoteReference")
        mark.set(qn("w:id"), note_id)
        reference._r.append(mark)

        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), note_id)
        self.part.element.append(note)
        note_paragraph = Paragraph(OxmlElement("w:p"), _Story(self.part))
        note.append(note_paragraph._p)
        _child(note_paragraph._p.get_or_add_pPr(), "w:pStyle", first=True).set(qn("w:val"), "FootnoteText")
        own_mark = note_paragraph.add_run()
        _run_style(own_mark, "FootnoteReference")
        own_mark._r.append(OxmlElement("w:footnoteRef"))
        note_paragraph.add_run(" ")
        return note_paragraph


# --- Contents ------------------------------------------------------------------------------------


def bookmark(paragraph, name: str, bookmark_id: int) -> None:
    """A bookmark named `name` around the whole of `paragraph` (the target of a contents entry)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    properties = paragraph._p.pPr
    if properties is not None:
        properties.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _field_char(paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)


def _contents_styles(word) -> list[str]:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Mm

    names = []
    for level in (1, 2, 3):
        name = f"toc {level}"
        if name not in [style.name for style in word.styles]:
            style = word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.element.set(qn("w:styleId"), f"TOC{level}")
            style.base_style = word.styles["Normal"]
            style.paragraph_format.left_indent = Mm(6 * (level - 1))
            style.paragraph_format.space_after = Pt(3 if level > 1 else 4)
            style.font.bold = level == 1 or None
        names.append(name)
    return names


def write_contents(word, entries: list[tuple[int, str, str]]) -> None:
    """The table of contents: one paragraph per (level, text, bookmark), in a TOC field.

    The field's instruction asks Word for levels 1-3 with hyperlinks; its result, what Word and
    LibreOffice display until the field is refreshed, is our entries, each a link to its heading.
    """
    styles = _contents_styles(word)
    if not entries:
        return
    paragraphs = []
    for level, text, name in entries:
        paragraph = word.add_paragraph(style=styles[min(level, 3) - 1])
        paragraphs.append((paragraph, text, name))
    first, last = paragraphs[0][0], paragraphs[-1][0]
    _field_char(first, "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = ' TOC \\o "1-3" \\h \\z \\u '
    first.add_run()._r.append(instruction)
    _field_char(first, "separate")
    for paragraph, text, name in paragraphs:
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), name)
        link.set(qn("w:history"), "1")
        run = OxmlElement("w:r")
        text_element = OxmlElement("w:t")
        text_element.set(qn("xml:space"), "preserve")
        text_element.text = text
        run.append(text_element)
        link.append(run)
        paragraph._p.append(link)
    _field_char(last, "end")
