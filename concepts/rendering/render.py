"""Documents to files: PDF with WeasyPrint, Word with python-docx. No database access here."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import io
import logging
import re
import signal
import threading

import lxml.html
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.text import strip_control_characters

from . import docx_marks
from .emblem import emblem_png
from .fetcher import StaticOnlyURLFetcher
from .word import Footnotes, OrderedLists, bookmark, number_paragraph, set_language, set_properties, write_contents

logger = logging.getLogger("mpf.rendering")


class RenderTimeout(Exception):  # noqa: N818 - named like the other time limits it stands for
    """The in-process time limit of `deadline` ran out."""


@contextlib.contextmanager
def deadline(seconds: float | None):
    """Raises RenderTimeout in this code once `seconds` have passed (main thread only; else no limit).

    Celery's soft time limit does the same for the worker; this is for renders run in-process
    (the `render_edition` command, tests).
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise RenderTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# PDF/A-2 level A: archival (fonts embedded, sRGB output intent, XMP metadata) and tagged, so
# that screen readers get the structure (headings, lists, tables, the images' text) and the
# language (`<html lang>`). WeasyPrint writes one variant's identification; PDF/UA-1's is added
# to the same XMP packet, since the tagged structure and the title shown are what it asks for.
PDF_VARIANT = "pdf/a-2a"
_PDF_UA_IDENTIFICATION = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>'
    b"</rdf:RDF>"
)


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of `html` and its number of pages. Resources come only through StaticOnlyURLFetcher."""
    import weasyprint

    fetcher = StaticOnlyURLFetcher()
    document = weasyprint.HTML(string=strip_control_characters(html), base_url=None, url_fetcher=fetcher).render()
    document.metadata.xmp_metadata.append(_PDF_UA_IDENTIFICATION)
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    if fetcher.refused:
        logger.info("Rendered without %s refused resource(s).", len(fetcher.refused))
    return pdf, len(document.pages)


# --- Word ---------------------------------------------------------------------------------------

_SPACES_RE = re.compile(r"\s+")
_INLINE_FORMATS = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "del": "strike", "code": "code"}
_LIST_STYLES = {"ul": "List Bullet", "ol": "List Number"}

# The footnotes of the Word file being written (render_docx sets it); without one, a note is
# written in brackets where it is referred to.
_footnotes: contextvars.ContextVar[Footnotes | None] = contextvars.ContextVar("footnotes", default=None)


def _text(text: str | None) -> str:
    return _SPACES_RE.sub(" ", strip_control_characters(text or ""))


def _run(paragraph, text: str, formats: frozenset) -> None:
    text = strip_control_characters(text)
    if not text:
        return
    run = paragraph.add_run(text)
    run.bold = "bold" in formats or None
    run.italic = "italic" in formats or None
    if "strike" in formats:
        run.font.strike = True
    if "code" in formats:
        run.font.name = "Courier New"


def _hyperlink(paragraph, url: str, text: str) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "123B6D")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    properties.extend([colour, underline])
    text_element = OxmlElement("w:t")
    text_element.set(qn("xml:space"), "preserve")
    text_element.text = strip_control_characters(text)
    run.extend([properties, text_element])
    link.append(run)
    paragraph._p.append(link)


def _footnote(paragraph, note, formats: frozenset) -> None:
    """A footnote (`<span class="footnote">`, see documents.footnotes_in_place) referred to here."""
    footnotes = _footnotes.get()
    if footnotes is None:
        _run(paragraph, " (", formats)
        _inline(paragraph, note, formats)
        _run(paragraph, ")", formats)
        return
    note_paragraph = footnotes.add(paragraph)
    for number, part in enumerate(note.xpath('span[@class="footnote-paragraph"]') or [note]):
        if number:
            note_paragraph.add_run().add_break()
        _inline(note_paragraph, part)


def _inline(paragraph, element, formats: frozenset = frozenset(), *, skip_lists: bool = True) -> None:
    _run(paragraph, _text(element.text), formats)
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _LIST_STYLES and skip_lists:
            pass  # written by the caller as list paragraphs
        elif child.tag == "br":
            paragraph.add_run().add_break()
        elif child.tag == "span" and child.get("class") == "footnote":
            _footnote(paragraph, child, formats)
        elif child.tag == "a" and (child.get("href") or "").startswith(("http://", "https://", "mailto:")):
            _hyperlink(paragraph, child.get("href"), _text(child.text_content()))
        elif child.tag == "p":
            _inline(paragraph, child, formats)
        else:
            _inline(paragraph, child, formats | {_INLINE_FORMATS.get(child.tag, "")})
        _run(paragraph, _text(child.tail), formats)


def _list(doc, element, level: int) -> None:
    """A list's items; a numbered one counts from its own start (1, or what its Markdown says)."""
    num_id = None
    if element.tag == "ol":
        start = int(element.get("start") or 1) if (element.get("start") or "1").isdigit() else 1
        num_id = OrderedLists(doc).new_list(level=min(level, 3) - 1, start=start)
    for item in element:
        if item.tag != "li":
            continue
        style = _LIST_STYLES[element.tag] + ("" if level == 1 else f" {min(level, 3)}")
        paragraph = doc.add_paragraph(style=style)
        if num_id is not None:
            number_paragraph(paragraph, num_id=num_id, level=min(level, 3) - 1)
        _inline(paragraph, item)
        for nested in item:
            if nested.tag in _LIST_STYLES:
                _list(doc, nested, level + 1)


def _table(doc, element) -> None:
    rows = list(element.iter("tr"))
    width = max((len(row.findall("th")) + len(row.findall("td")) for row in rows), default=0)
    if not rows or not width:
        return
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, cell in enumerate(child for child in row if child.tag in ("th", "td")):
            paragraph = table.cell(r, c).paragraphs[0]
            _inline(paragraph, cell, frozenset({"bold"}) if cell.tag == "th" else frozenset())


def _blocks(doc, element, *, quote: bool = False) -> None:
    if _text(element.text).strip():
        _inline(doc.add_paragraph(), element)
        return
    for child in element:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag
        if tag == "p":
            _inline(doc.add_paragraph(style="Quote" if quote else None), child)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            _inline(doc.add_paragraph(), child, frozenset({"bold"}))  # not a Heading: kept out of the contents
        elif tag in _LIST_STYLES:
            _list(doc, child, 1)
        elif tag == "blockquote":
            _blocks(doc, child, quote=True)
        elif tag == "pre":
            paragraph = doc.add_paragraph()
            for number, line in enumerate(child.text_content().rstrip("\n").split("\n")):
                if number:
                    paragraph.add_run().add_break()
                _run(paragraph, line, frozenset({"code"}))
        elif tag == "table":
            _table(doc, child)
        elif tag == "hr":
            doc.add_paragraph("* * *")
        else:
            _inline(doc.add_paragraph(), child)


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES): Word fills it in when the fields are updated."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def _page_of_pages(paragraph) -> None:
    for piece in re.split(r"(%\(page\)s|%\(pages\)s)", _("Page %(page)s of %(pages)s")):
        if piece == "%(page)s":
            _field(paragraph, "PAGE", "1")
        elif piece == "%(pages)s":
            _field(paragraph, "NUMPAGES", "1")
        elif piece:
            paragraph.add_run(piece)


def _visibility_block(word, document) -> None:
    """The funder's emblem with its statement beside it, and its disclaimer below."""
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    paragraph = word.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(18)
    picture = paragraph.add_run().add_picture(io.BytesIO(emblem_png()), width=Mm(27))
    for description in picture._inline.iter(qn("wp:docPr")):
        description.set("descr", _("Flag of the European Union"))
    statement = paragraph.add_run(f"\t{strip_control_characters(document.funding)}")
    statement.bold = True
    statement.font.size = Pt(11)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(32))
    if document.disclaimer:
        disclaimer = word.add_paragraph().add_run(strip_control_characters(document.disclaimer))
        disclaimer.font.size = Pt(8)


def _cover(word, document) -> None:
    from docx.enum.text import WD_BREAK

    word.add_paragraph(document.project_title, style="Subtitle")
    word.add_paragraph(document.concept_title, style="Title")
    word.add_paragraph().add_run(document.label).bold = True
    word.add_paragraph(document.date_text)
    if document.presented_at:
        word.add_paragraph(_("Presented at %(activity)s") % {"activity": document.presented_at})
    if document.draft_note:
        word.add_paragraph().add_run(document.draft_note).bold = True
    if document.statement:
        word.add_paragraph(document.statement)
    if document.instrument:
        word.add_paragraph(_("Funding instrument: %(instrument)s") % {"instrument": document.instrument})
    if document.funding:
        _visibility_block(word, document)
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _bookmark_name(anchor: str) -> str:
    # Word's bookmark names: a letter or underscore first, then letters, digits and underscores, 40 at most.
    return ("_Toc_" + re.sub(r"[^A-Za-z0-9_]", "_", anchor))[:40]


def render_docx(document, *, now: datetime.datetime | None = None) -> bytes:
    """A Word file of `document` (a rendering.documents.Document): cover, contents, sections, footnotes.

    Its words, language (for proofing) and properties are those of the language printed; `now` is
    its creation time (default: now).
    """
    import docx
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm, Pt

    token = _footnotes.set(None)
    try:
        with translation.override(document.language):
            word = docx.Document()
            _footnotes.set(Footnotes(word))
            section = word.sections[0]
            section.page_height, section.page_width = Mm(297), Mm(210)
            section.top_margin, section.bottom_margin = Mm(24), Mm(22)
            section.left_margin, section.right_margin = Mm(22), Mm(20)
            word.styles["Normal"].font.name = "DejaVu Sans"
            word.styles["Normal"].font.size = Pt(10)
            set_language(word, document.language)
            set_properties(
                word,
                title=strip_control_characters(document.title, line_break=" "),
                language=document.language,
                subject=strip_control_characters(document.project_title, line_break=" "),
                author=document.author,
                now=now or timezone.now(),
            )

            section.different_first_page_header_footer = True  # the cover has none, as in the PDF
            section.header.paragraphs[0].text = strip_control_characters(document.concept_title, line_break=" ")
            footer = section.footer.paragraphs[0]
            footer.add_run(strip_control_characters(f"{document.label}    ", line_break=" "))
            _page_of_pages(footer)

            _cover(word, _CleanDocument(document))

            word.add_paragraph(_("Contents"), style="TOC Heading")
            entries = [
                (
                    part.level,
                    strip_control_characters(f"{part.number} {part.title}", line_break=" "),
                    _bookmark_name(part.anchor),
                )
                for part in document.parts
            ]
            write_contents(word, entries)
            word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

            marks = docx_marks.BookmarkIds()  # numbered far above the contents' bookmarks (1 … sections)
            for number, part in enumerate(document.parts, start=1):
                # Chapters follow one another without a page break, as in the PDF.
                heading = word.add_heading(
                    strip_control_characters(f"{part.number} {part.title}", line_break=" "), level=min(part.level, 3)
                )
                bookmark(heading, _bookmark_name(part.anchor), number)
                if part.version_id:  # lets an import recognise the section and the version this file showed
                    name = docx_marks.bookmark_name(part.section_id, part.version_id)
                    docx_marks.bookmark_paragraph(heading._p, name, marks)
                if part.note:  # not translated, or translated from an older source text
                    word.add_paragraph().add_run(f"[{part.note}]").italic = True
                body = lxml.html.fragment_fromstring(str(part.body_html) or "<p></p>", create_parent="div")
                _blocks(word, body)

            if document.marks:
                docx_marks.mark_package(word, document.marks)
            output = io.BytesIO()
            word.save(output)
            return output.getvalue()
    finally:
        _footnotes.reset(token)


class _CleanDocument:
    """`document`'s facts without the control characters Word's XML cannot hold."""

    def __init__(self, document):
        self._document = document

    def __getattr__(self, name):
        value = getattr(self._document, name)
        return strip_control_characters(value, line_break=" ") if isinstance(value, str) else value
