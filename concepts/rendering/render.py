"""Documents to files: PDF with WeasyPrint, Word with python-docx. No database access here."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import signal
import threading

import lxml.html
from django.utils import translation
from django.utils.translation import gettext as _

from . import docx_marks
from .fetcher import StaticOnlyURLFetcher

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


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of `html` and its number of pages. Resources come only through StaticOnlyURLFetcher."""
    import weasyprint

    fetcher = StaticOnlyURLFetcher()
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).render()
    pdf = document.write_pdf()
    if fetcher.refused:
        logger.info("Rendered without %s refused resource(s).", len(fetcher.refused))
    return pdf, len(document.pages)


# --- Word ---------------------------------------------------------------------------------------

_SPACES_RE = re.compile(r"\s+")
_INLINE_FORMATS = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "del": "strike", "code": "code"}
_LIST_STYLES = {"ul": "List Bullet", "ol": "List Number"}


def _text(text: str | None) -> str:
    return _SPACES_RE.sub(" ", text or "")


def _run(paragraph, text: str, formats: frozenset) -> None:
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
    text_element.text = text
    run.extend([properties, text_element])
    link.append(run)
    paragraph._p.append(link)


def _inline(paragraph, element, formats: frozenset = frozenset(), *, skip_lists: bool = True) -> None:
    _run(paragraph, _text(element.text), formats)
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _LIST_STYLES and skip_lists:
            pass  # written by the caller as list paragraphs
        elif child.tag == "br":
            paragraph.add_run().add_break()
        elif child.tag == "a" and (child.get("href") or "").startswith(("http://", "https://", "mailto:")):
            _hyperlink(paragraph, child.get("href"), _text(child.text_content()))
        elif child.tag == "p":
            _inline(paragraph, child, formats)
        else:
            _inline(paragraph, child, formats | {_INLINE_FORMATS.get(child.tag, "")})
        _run(paragraph, _text(child.tail), formats)


def _list(doc, element, level: int) -> None:
    for item in element:
        if item.tag != "li":
            continue
        style = _LIST_STYLES[element.tag] + ("" if level == 1 else f" {min(level, 3)}")
        _inline(doc.add_paragraph(style=style), item)
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
    """A Word field (TOC, PAGE, NUMPAGES): Word fills it in when the fields are updated."""
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


def render_docx(document) -> bytes:
    """A Word file of `document` (a rendering.documents.Document): cover, contents field, sections."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    with translation.override(document.language):
        word = docx.Document()
        section = word.sections[0]
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(24), Mm(22)
        section.left_margin, section.right_margin = Mm(22), Mm(20)
        word.styles["Normal"].font.name = "DejaVu Sans"
        word.styles["Normal"].font.size = Pt(10)
        properties = word.core_properties
        properties.title = document.title
        properties.author = document.author
        properties.subject = document.project_title
        properties.language = document.language
        properties.comments = ""

        section.header.paragraphs[0].text = document.concept_title
        footer = section.footer.paragraphs[0]
        footer.add_run(f"{document.label}    ")
        _page_of_pages(footer)

        word.add_paragraph(document.project_title, style="Subtitle")
        word.add_paragraph(document.concept_title, style="Title")
        word.add_paragraph().add_run(document.label).bold = True
        word.add_paragraph(document.date_text)
        if document.presented_at:
            word.add_paragraph(_("Presented at %(activity)s") % {"activity": document.presented_at})
        if document.statement:
            word.add_paragraph(document.statement)
        word.add_paragraph().add_run(document.funding).bold = True
        if document.instrument:
            word.add_paragraph(_("Funding instrument: %(instrument)s") % {"instrument": document.instrument})
        word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

        contents = word.add_paragraph()
        contents.add_run(_("Contents")).bold = True
        _field(word.add_paragraph(), r'TOC \o "1-3" \h \z \u', _("Update the fields to see the contents."))
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        word.settings.element.append(update)

        bookmarks = docx_marks.BookmarkIds()
        for part in document.parts:
            if part.level == 1:
                word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            heading = word.add_heading(f"{part.number} {part.title}", level=min(part.level, 3))
            if part.version_id:  # lets an import recognise the section and the version this file showed
                name = docx_marks.bookmark_name(part.section_id, part.version_id)
                docx_marks.bookmark_paragraph(heading._p, name, bookmarks)
            if part.note:  # not translated, or translated from an older source text
                word.add_paragraph().add_run(f"[{part.note}]").italic = True
            _blocks(word, lxml.html.fragment_fromstring(str(part.body_html) or "<p></p>", create_parent="div"))

        if document.marks:
            docx_marks.mark_package(word, document.marks)
        output = io.BytesIO()
        word.save(output)
        return output.getvalue()
