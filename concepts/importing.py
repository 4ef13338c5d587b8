"""Concepts from existing documents: a Word (.docx) or Markdown file read into an outline of sections.

Reading is pure (`parse_docx`, `parse_markdown`, `parse_upload`): it answers an `ImportPlan`, the
sections the file would create (title, level, Markdown text), every notice a drafter should read
before confirming (what was left out or changed, and why) and the errors that stop the import.
Nothing is written until `concept_import` / `concept_create_from_plan`, which create every section
through `services.section_add` in one transaction.

Decisions, said to the user in the preview as well:
- Headings become sections: Heading 1/2/3 (# / ## / ### in Markdown) at levels 1/2/3. A Word
  heading deeper than 3 becomes a level-3 section; a heading that skips a level (Heading 3 right
  after a Heading 1) is placed one level below the heading before it.
- Text before the first heading becomes a section called "Introduction".
- Tracked changes are read as if every change were accepted: insertions kept, deletions left out.
- Pictures and drawings are left out, and so are comments; footnotes and endnotes are kept as
  numbered notes at the end of the section that refers to them.
"""

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import PurePath

import mammoth
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from common.imports import ZipLimits, check_zip

from . import services
from .models import MAX_BODY_LENGTH, MAX_DEPTH, Concept, Section

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_SECTIONS = 500
MAX_TITLE_LENGTH = 300
EXTENSIONS = ("docx", "md", "markdown")
ACCEPT = ".docx,.md,.markdown,text/markdown,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCERPT_LINES = 3
EXCERPT_CHARS = 240

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "dc": "http://purl.org/dc/elements/1.1/",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
}
TITLE_CLASS = "mpf-document-title"
STYLE_MAP = f"""
p[style-name='Title'] => h1.{TITLE_CLASS}:fresh
p[style-name='Subtitle'] => p:fresh
"""


@dataclass
class PlannedSection:
    title: str
    level: int  # 1–3, relative to where the sections are placed
    body: str  # Markdown
    images: int = 0  # pictures left out of this section
    introduction: bool = False  # made of the text before the first heading
    too_long: bool = False
    number: str = ""  # the number it will have in the outline (set by `ImportPlan.place`)
    outline_level: int = 0  # the level it will have in the outline

    @property
    def words(self) -> int:
        return len(re.findall(r"\w+", self.body))

    @property
    def excerpt(self) -> str:
        """The first lines of the text, for the preview."""
        lines = [line.strip() for line in self.body.splitlines() if line.strip()][:EXCERPT_LINES]
        text = "\n".join(lines)
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


@dataclass
class ImportPlan:
    sections: list[PlannedSection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # plain-English notices for the preview
    errors: list[str] = field(default_factory=list)  # any error stops the import
    title: str = ""  # a title for a new concept, suggested by the file
    kind: str = ""  # "docx" or "markdown"

    @property
    def can_import(self) -> bool:
        return bool(self.sections) and not self.errors

    @property
    def depth(self) -> int:
        return max((section.level for section in self.sections), default=0)

    def place(self, *, prefix: str = "", first: int = 1, base_level: int = 0) -> None:
        """Numbers the sections as they will appear: the first top one is `prefix` + `first`."""
        counters = [first - 1] + [0] * (MAX_DEPTH - 1)
        for section in self.sections:
            index = section.level - 1
            counters[index] += 1
            counters[index + 1 :] = [0] * (MAX_DEPTH - index - 1)
            section.number = prefix + ".".join(str(count) for count in counters[: index + 1])
            section.outline_level = base_level + section.level

    def check_fits(self, *, base_level: int, place_label: str = "") -> bool:
        """Adds an error when the sections would go deeper than MAX_DEPTH under a section at `base_level`."""
        if base_level + self.depth <= MAX_DEPTH:
            return True
        self.errors.append(
            _("The file's sections go %(depth)s levels deep, but under %(place)s only %(room)s more level(s) fit "
              "(sections are nested %(max)s levels deep at most). Place them at the top level, or under a "
              "section nearer the top.")
            % {"depth": self.depth, "place": place_label, "room": MAX_DEPTH - base_level, "max": MAX_DEPTH}
        )  # fmt: skip
        return False


def plan_to_json(plan: ImportPlan) -> dict:
    """The plan as stored on its import job (common.models.ImportJob.result)."""
    return asdict(plan)


def plan_from_json(stored: dict) -> ImportPlan:
    sections = [PlannedSection(**section) for section in stored.get("sections", [])]
    return ImportPlan(**{**stored, "sections": sections})


# Reading an upload -----------------------------------------------------------------------------


def file_extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def _refused(message: str, kind: str = "") -> ImportPlan:
    return ImportPlan(errors=[message], kind=kind)


def too_big_message() -> str:
    return _("The file is larger than %(size)s MB. Split it into smaller files, or remove large pictures.") % {
        "size": MAX_FILE_BYTES // (1024 * 1024)
    }


def _extension_error(extension: str) -> str | None:
    if extension == "doc":
        return _("Old Word files (.doc) cannot be read. Open the file in Word, save it as .docx and upload it again.")
    if extension not in EXTENSIONS:
        return _("Upload a Word document (.docx) or a Markdown file (.md).")
    return None


def parse_upload(upload) -> ImportPlan:
    """Reads an uploaded file; bad input gives a plan with an error, never an exception."""
    name = getattr(upload, "name", "") or ""
    if error := _extension_error(file_extension(name)):
        return _refused(error)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        return _refused(too_big_message())
    upload.seek(0)
    return parse_file(upload.read(MAX_FILE_BYTES + 1), filename=name)


def check_upload(upload) -> None:
    """What can be refused cheaply, in the web request, before anything is parsed (ValidationError):
    the extension, the size, and for a .docx the sizes its parts would unpack to (read from the zip's
    central directory only: see common.imports.check_zip)."""
    extension = file_extension(getattr(upload, "name", "") or "")
    if error := _extension_error(extension):
        raise ValidationError(error, code="extension")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ValidationError(too_big_message(), code="size")
    if extension == "docx":
        check_zip(upload, limits=ZipLimits.for_documents())
        try:
            names = zipfile.ZipFile(upload).namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            names = []
        finally:
            upload.seek(0)
        if "word/document.xml" not in names:
            raise ValidationError(_broken_docx().errors[0], code="broken")


def parse_file(data: bytes, *, filename: str, progress: Callable[[float], None] | None = None) -> ImportPlan:
    """A file's bytes → the plan, read as .docx or Markdown by the extension of `filename`."""
    extension = file_extension(filename)
    if error := _extension_error(extension):
        return _refused(error)
    if len(data) > MAX_FILE_BYTES:
        return _refused(too_big_message())
    stem = PurePath(filename).stem
    if extension == "docx":
        return parse_docx(data, fallback_title=stem, progress=progress)
    if b"\x00" in data[:8192]:
        return _refused(_("The file is not a text file. A Markdown file is plain text (UTF-8)."), "markdown")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _refused(_("The file is not saved as UTF-8 text. Save it as UTF-8 and upload it again."), "markdown")
    return parse_markdown(text, fallback_title=stem)


# Word ------------------------------------------------------------------------------------------


def _broken_docx() -> ImportPlan:
    return _refused(
        _(
            "The file could not be read as a Word document. It may be damaged, password-protected or not really "
            "a .docx file: open it in Word, save it again as .docx and upload it again."
        ),
        "docx",
    )


def _xml(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    return etree.fromstring(data, parser)  # noqa: S320 - entities off, no network


@dataclass
class DocxFindings:
    """What the document holds that does not become section text: counted from its XML."""

    pictures: int = 0
    insertions: int = 0
    deletions: int = 0
    formatting_changes: int = 0
    comments: int = 0
    notes: int = 0
    headers_footers: bool = False
    core_title: str = ""


def _count(root, path: str) -> int:
    return int(root.xpath(f"count({path})", namespaces=NS))


def scan_docx(archive: zipfile.ZipFile) -> DocxFindings:
    names = set(archive.namelist())
    body = _xml(archive.read("word/document.xml"))
    found = DocxFindings()
    found.pictures = _count(body, "(//w:drawing | //w:pict)[not(.//w:txbxContent)]")  # a text box's text is kept
    # A revision mark on a paragraph mark or table row (inside w:rPr or w:trPr) is part of a change counted
    # already by its runs; a paragraph whose only change is its mark still counts once through the runs.
    found.insertions = _count(body, "//w:ins[not(parent::w:rPr)][not(parent::w:trPr)] | //w:moveTo")
    found.deletions = _count(body, "//w:del[not(parent::w:rPr)][not(parent::w:trPr)] | //w:moveFrom")
    found.formatting_changes = _count(body, "//w:rPrChange | //w:pPrChange")
    found.notes = _count(body, "//w:footnoteReference | //w:endnoteReference")
    if "word/comments.xml" in names:
        found.comments = _count(_xml(archive.read("word/comments.xml")), "//w:comment")
    else:
        found.comments = _count(body, "//w:commentReference")
    for name in names:
        if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
            part = _xml(archive.read(name))
            if "".join(part.xpath("//w:t/text()", namespaces=NS)).strip():
                found.headers_footers = True
    if "docProps/core.xml" in names:
        core = _xml(archive.read("docProps/core.xml"))
        found.core_title = " ".join("".join(core.xpath("//dc:title/text()", namespaces=NS)).split())
    return found


class _CountingReader:
    """A file-like object that counts the bytes read through it (for progress)."""

    def __init__(self, stream):
        self.stream = stream
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.read_bytes += len(chunk)
        return chunk


def _heading_style_ids(archive: zipfile.ZipFile) -> set[str]:
    """The ids of the paragraph styles called "heading 1" … "heading 9" (Word's built-in headings)."""
    ids = {f"Heading{level}" for level in range(1, 10)}
    if "word/styles.xml" in archive.namelist():
        styles = _xml(archive.read("word/styles.xml"))
        for style in styles.iterfind(f"{{{W}}}style"):
            name = style.find(f"{{{W}}}name")
            if name is not None and re.fullmatch(r"heading [1-9]", name.get(f"{{{W}}}val", "").strip().lower()):
                ids.add(style.get(f"{{{W}}}styleId", ""))
    return ids


def prescan_docx(archive: zipfile.ZipFile, *, progress: Callable[[float], None]) -> str | None:
    """Counts headings, paragraphs and characters of word/document.xml as it unpacks, stopping at the first
    limit: the reason it cannot be imported, or None. Memory stays flat (each paragraph is dropped once
    counted); entities are never resolved, nothing is fetched."""
    heading_styles = _heading_style_ids(archive)
    size = archive.getinfo("word/document.xml").file_size or 1
    max_paragraphs, max_characters = settings.IMPORT_DOCX_MAX_PARAGRAPHS, settings.IMPORT_DOCX_MAX_CHARACTERS
    paragraphs = headings = characters = 0
    style_tag, value_tag = f"{{{W}}}pStyle", f"{{{W}}}val"
    with archive.open("word/document.xml") as stream:
        reader = _CountingReader(stream)
        elements = etree.iterparse(
            reader, events=("end",), tag=(f"{{{W}}}p", f"{{{W}}}t"), resolve_entities=False, no_network=True,
            huge_tree=False, load_dtd=False,
        )  # fmt: skip
        for _event, element in elements:
            if element.tag == f"{{{W}}}t":
                characters += len(element.text or "")
                if characters > max_characters:
                    return _too_much_text_message(max_characters)
                continue
            paragraphs += 1
            style = next(element.iter(style_tag), None)
            if style is not None and style.get(value_tag) in heading_styles:
                headings += 1
                if headings > MAX_SECTIONS:
                    return _too_many_headings_message()
            if paragraphs > max_paragraphs:
                return _too_many_paragraphs_message(max_paragraphs)
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
            if paragraphs % 500 == 0:
                progress(reader.read_bytes / size)
    return None


def _too_many_headings_message() -> str:
    return _(
        "The file has more than %(limit)s headings, and at most %(limit)s sections can be imported from one "
        "file. Split it into several files."
    ) % {"limit": MAX_SECTIONS}


def _too_many_paragraphs_message(limit: int) -> str:
    return _(
        "The file has more than %(limit)s paragraphs, and at most %(limit)s can be imported from one file. "
        "Split it into several files."
    ) % {"limit": f"{limit:,}"}


def _too_much_text_message(limit: int) -> str:
    return _(
        "The file has more than %(limit)s characters of text, and at most %(limit)s can be imported from one "
        "file. Split it into several files."
    ) % {"limit": f"{limit:,}"}


def parse_docx(data: bytes, *, fallback_title: str = "", progress: Callable[[float], None] | None = None) -> ImportPlan:
    """A .docx file's bytes → the plan. Damaged, unreadable or too large files give a plan with one error.

    Sizes are checked first (the zip's directory), then word/document.xml is counted as it streams
    (`prescan_docx`), stopping at the first limit, before mammoth reads the whole of it.
    """
    progress = progress or (lambda fraction: None)
    try:
        check_zip(io.BytesIO(data), limits=ZipLimits.for_documents())
    except ValidationError as error:
        return _refused(error.messages[0], "docx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if "word/document.xml" not in archive.namelist():
            return _broken_docx()
        if refusal := prescan_docx(archive, progress=lambda fraction: progress(fraction * 0.3)):
            return _refused(refusal, "docx")
        found = scan_docx(archive)
        progress(0.35)
        result = mammoth.convert_to_html(
            io.BytesIO(data),
            style_map=STYLE_MAP,
            include_embedded_style_map=False,
            external_file_access=False,
            convert_image=mammoth.images.img_element(lambda image: {"src": ""}),
        )
    except Exception:  # noqa: BLE001 - zipfile, lxml and mammoth raise many kinds on a damaged file
        return _broken_docx()
    progress(0.8)
    converter = HtmlToMarkdown()
    try:
        headings = converter.convert(result.value)
    except (etree.ParserError, ValueError):
        return _broken_docx()
    progress(0.95)
    plan = _plan_from_headings(headings, kind="docx", folded_note=_folded_word_note)
    plan.title = _shorten(converter.document_title or found.core_title or _first_level_one(plan) or fallback_title)
    plan.notes.extend(_docx_notes(found, converter, plan))
    _check_limits(plan)
    return plan


def _docx_notes(found: DocxFindings, converter: "HtmlToMarkdown", plan: ImportPlan) -> list[str]:
    notes = []
    if found.pictures:
        where = _quoted([section.title for section in plan.sections if section.images])
        note = ngettext(
            "%(count)s picture or drawing is left out: sections keep text only.",
            "%(count)s pictures or drawings are left out: sections keep text only.",
            found.pictures,
        ) % {"count": found.pictures}
        if where:
            note += " " + _("Sections that had pictures: %(sections)s.") % {"sections": where}
        notes.append(note)
    if found.insertions or found.deletions or found.formatting_changes:
        parts = [
            ngettext("%(count)s insertion", "%(count)s insertions", found.insertions) % {"count": found.insertions},
            ngettext("%(count)s deletion", "%(count)s deletions", found.deletions) % {"count": found.deletions},
        ]
        if found.formatting_changes:
            parts.append(
                ngettext("%(count)s formatting change", "%(count)s formatting changes", found.formatting_changes)
                % {"count": found.formatting_changes}
            )
        notes.append(
            _("The file has tracked changes that were neither accepted nor rejected in Word (%(changes)s). The "
              "import uses the text with every change accepted: inserted text is kept and deleted text is left "
              "out. To import the original wording instead, reject the changes in Word and upload the file again.")
            % {"changes": ", ".join(parts)}
        )  # fmt: skip
    if found.comments:
        notes.append(
            ngettext(
                "%(count)s comment in the margin is left out; the text it was attached to is imported.",
                "%(count)s comments in the margin are left out; the text they were attached to is imported.",
                found.comments,
            )
            % {"count": found.comments}
        )
    if converter.note_count or found.notes:
        count = converter.note_count or found.notes
        notes.append(
            ngettext(
                "%(count)s footnote or endnote is kept as a numbered note, like [1], at the end of the section "
                "that refers to it.",
                "%(count)s footnotes or endnotes are kept as numbered notes, like [1], at the end of the section "
                "that refers to them.",
                count,
            )
            % {"count": count}
        )
    if converter.complex_tables:
        notes.append(
            ngettext(
                "%(count)s table has lists, several paragraphs or another table in its cells; it is imported as a "
                "simple table with that content on one line per cell. Check it after the import.",
                "%(count)s tables have lists, several paragraphs or other tables in their cells; they are imported "
                "as simple tables with that content on one line per cell. Check them after the import.",
                converter.complex_tables,
            )
            % {"count": converter.complex_tables}
        )
    if found.headers_footers:
        notes.append(_("The page headers and footers are not imported."))
    return notes


def _first_level_one(plan: ImportPlan) -> str:
    return next((s.title for s in plan.sections if s.level == 1 and not s.introduction), "")


def _shorten(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_TITLE_LENGTH else title[: MAX_TITLE_LENGTH - 1].rstrip() + "…"


# Markdown --------------------------------------------------------------------------------------


def parse_markdown(text: str, *, fallback_title: str = "") -> ImportPlan:
    """Markdown text → the plan: ATX headings #, ## and ### become sections, the rest stays as written."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    tokens = MarkdownIt("commonmark").enable("table").enable("strikethrough").parse(text)
    headings: list[tuple[int, int, int, str]] = []  # (first line, line after, level, title)
    deeper = images = 0
    for index, token in enumerate(tokens):
        if token.type == "inline":
            images += sum(1 for child in token.children or [] if child.type == "image")
        if token.type != "heading_open" or token.level != 0 or not token.markup.startswith("#"):
            continue
        if len(token.markup) > MAX_DEPTH:
            deeper += 1
            continue
        headings.append((token.map[0], token.map[1], len(token.markup), _inline_plain(tokens[index + 1])))
    starts = [heading[0] for heading in headings[1:]] + [len(lines)] * bool(headings)
    raw = [RawSection(level=0, title="", body=_strip_blank_lines(lines[: headings[0][0] if headings else None]))]
    for (_start, after, level, title), end in zip(headings, starts, strict=True):
        raw.append(RawSection(level=level, title=title, body=_strip_blank_lines(lines[after:end])))
    plan = _plan_from_headings(raw, kind="markdown", folded_note=None)
    plan.title = _shorten(_first_level_one(plan) or fallback_title)
    if deeper:
        plan.notes.append(
            ngettext(
                "%(count)s heading of level 4 or deeper (####) stays a heading inside the text of its section.",
                "%(count)s headings of level 4 or deeper (####) stay headings inside the text of their sections.",
                deeper,
            )
            % {"count": deeper}
        )
    if images:
        plan.notes.append(
            ngettext(
                "%(count)s image is not shown by the portal: its Markdown stays in the text, but sections show "
                "text only.",
                "%(count)s images are not shown by the portal: their Markdown stays in the text, but sections show "
                "text only.",
                images,
            )
            % {"count": images}
        )
    _check_limits(plan)
    return plan


def _inline_plain(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _strip_blank_lines(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n").rstrip()


# From headings to sections ---------------------------------------------------------------------


@dataclass
class RawSection:
    """A heading as the file has it (level 0: the text before the first heading) and its text."""

    level: int
    title: str
    body: str
    images: int = 0


MANUAL_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)+\.?|\d+[.)]|[IVXLC]+\.)\s+(?=\S)")


def _quoted(titles: list[str]) -> str:
    return ", ".join(f"“{title}”" for title in titles)


def _folded_word_note(titles: list[str]) -> str:
    return ngettext(
        "%(count)s heading of level 4 or deeper (Heading 4–9) becomes a section at level 3, the deepest the portal "
        "has: %(titles)s.",
        "%(count)s headings of level 4 or deeper (Heading 4–9) become sections at level 3, the deepest the portal "
        "has: %(titles)s.",
        len(titles),
    ) % {"count": len(titles), "titles": _quoted(titles)}


def _introduction(raw: RawSection) -> PlannedSection:
    return PlannedSection(title=_("Introduction"), level=1, body=raw.body, images=raw.images, introduction=True)


def _plan_from_headings(raw: list[RawSection], *, kind: str, folded_note) -> ImportPlan:
    """RawSection (the first one: the text before any heading, level 0) → sections with levels 1–3."""
    plan = ImportPlan(kind=kind)
    folded, skipped, renumbered, shortened, empty = [], 0, 0, 0, 0
    previous = 0
    for heading in raw:
        if heading.level == 0:
            if heading.body.strip():
                plan.sections.append(_introduction(heading))
                previous = 1
            continue
        title = " ".join(heading.title.split())
        stripped = MANUAL_NUMBER.sub("", title)
        if stripped != title:
            renumbered += 1
            title = stripped
        if not title:
            empty += 1
            if heading.body.strip() and plan.sections:  # its text stays with the section before
                plan.sections[-1].body = "\n\n".join(filter(None, [plan.sections[-1].body, heading.body]))
                plan.sections[-1].images += heading.images
            elif heading.body.strip():
                plan.sections.append(_introduction(heading))
                previous = 1
            continue
        if len(title) > MAX_TITLE_LENGTH:
            shortened += 1
            title = title[: MAX_TITLE_LENGTH - 1].rstrip() + "…"
        level = min(heading.level, MAX_DEPTH)
        if level > previous + 1:
            skipped += 1
            level = previous + 1
        if heading.level > MAX_DEPTH:
            folded.append(title)
        plan.sections.append(PlannedSection(title=title, level=level, body=heading.body, images=heading.images))
        previous = level
    plan.place()
    if any(section.introduction for section in plan.sections):
        if len(plan.sections) > 1:
            plan.notes.append(
                _("The text before the first heading becomes a section called “%(title)s”.")
                % {"title": _("Introduction")}
            )
        else:
            plan.notes.append(
                _("The file has no headings, so all of its text becomes one section, “%(title)s”. To split it into "
                  "sections, give the section titles a heading style in Word (Heading 1, 2, 3) or start them with "
                  "#, ## or ### in Markdown.") % {"title": _("Introduction")}
            )  # fmt: skip
    if folded and folded_note:
        plan.notes.append(folded_note(folded))
    if skipped:
        plan.notes.append(
            ngettext(
                "%(count)s heading skips a level (like a Heading 3 right after a Heading 1); it is placed one level "
                "below the heading before it.",
                "%(count)s headings skip a level (like a Heading 3 right after a Heading 1); they are placed one "
                "level below the heading before them.",
                skipped,
            )
            % {"count": skipped}
        )
    if renumbered:
        plan.notes.append(
            ngettext(
                "The number typed at the start of %(count)s heading (like “2.1”) is left out: the portal numbers "
                "sections itself.",
                "The numbers typed at the start of %(count)s headings (like “2.1”) are left out: the portal numbers "
                "sections itself.",
                renumbered,
            )
            % {"count": renumbered}
        )
    if shortened:
        plan.notes.append(
            ngettext(
                "%(count)s heading is longer than %(limit)s characters and is shortened.",
                "%(count)s headings are longer than %(limit)s characters and are shortened.",
                shortened,
            )
            % {"count": shortened, "limit": MAX_TITLE_LENGTH}
        )
    if empty:
        plan.notes.append(
            ngettext("%(count)s empty heading is ignored.", "%(count)s empty headings are ignored.", empty)
            % {"count": empty}
        )
    return plan


def _check_limits(plan: ImportPlan) -> None:
    if not plan.sections:
        plan.errors.append(_("The file has no text to import."))
        return
    if len(plan.sections) > MAX_SECTIONS:
        plan.errors.append(
            _("The file would create %(count)s sections, and at most %(limit)s can be imported from one file. Split "
              "it into several files.") % {"count": f"{len(plan.sections):,}", "limit": MAX_SECTIONS}
        )  # fmt: skip
    for section in plan.sections:
        if len(section.body) > MAX_BODY_LENGTH:
            section.too_long = True
            plan.errors.append(
                _("The section “%(title)s” has %(length)s characters of text, more than the %(limit)s a section may "
                  "have. Split it with more headings and upload the file again.")
                % {"title": section.title, "length": f"{len(section.body):,}", "limit": f"{MAX_BODY_LENGTH:,}"}
            )  # fmt: skip


# HTML (as mammoth writes it) to Markdown --------------------------------------------------------

HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCK_TAGS = {"p", "ul", "ol", "table", "blockquote", "div", "pre", *HEADING_TAGS}
SPACED_TAGS = {*BLOCK_TAGS, "li", "thead", "tbody", "tfoot", "tr", "td", "th"}
NOTE_ID = re.compile(r"^(?:footnote|endnote)-")
SPACES = re.compile(r"[ \t\r\n\f\v]+")  # HTML white space; a non-breaking space is kept
SAFE_SCHEMES = ("http://", "https://", "mailto:")
HARD_BREAK = "\\\n"  # a backslash at the end of a line


def _escape(text: str | None, *, in_table: bool = False) -> str:
    """Text as Markdown shows it literally, inline; the start of a line is `_escape_line_start`'s job."""
    if not text:
        return ""
    text = SPACES.sub(" ", text)
    text = re.sub(r"([\\`*\[\]~<])", r"\\\1", text)
    text = re.sub(r"(?<![^\W_])_|_(?![^\W_])", r"\\_", text)  # not inside a word, where it is plain
    text = re.sub(r"&(?=#?\w+;)", r"\\&", text)
    return text.replace("|", "\\|") if in_table else text


def _escape_line_start(text: str) -> str:
    """Escapes what would start a block at the start of a line: a heading, quote, list or rule."""
    text = re.sub(r"^( *)([#>+=-])", r"\1\\\2", text, flags=re.MULTILINE)
    return re.sub(r"^( *\d+)([.)])(?= |$)", r"\1\\\2", text, flags=re.MULTILINE)


def _wrap(content: str, marker: str) -> str:
    """`**bold**` with the spaces around the content outside the markers (Markdown needs that)."""
    core = content.strip()
    if not core:
        return content
    lead = content[: len(content) - len(content.lstrip())]
    trail = content[len(content.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def _indent(text: str, pad: str) -> str:
    return "\n".join(pad + line if line.strip() else "" for line in text.split("\n"))


def _is_note_list(element) -> bool:
    return element.tag == "ol" and any(NOTE_ID.match(li.get("id", "")) for li in element if li.tag == "li")


class HtmlToMarkdown:
    """Mammoth's HTML → RawSections (split at the top-level headings) with Markdown text.

    Mammoth writes a small set of tags: p, h1–h6, strong, em, s, sup, sub, a, img, br, ul, ol,
    li, table, thead, tbody, tr, th, td; footnotes and endnotes as a last <ol>. Any other tag is
    read for its text.
    """

    def __init__(self):
        self.document_title = ""
        self.note_count = 0
        self.complex_tables = 0
        self._notes: dict[str, str] = {}  # note id → its Markdown text
        self._labels: dict[str, str] = {}  # note id → its number, "1"
        self._images = 0  # pictures in the current section
        self._refs: list[str] = []  # notes the current section refers to

    def convert(self, html: str) -> list[RawSection]:
        sections = [RawSection(level=0, title="", body="")]
        if not html.strip():
            return sections
        root = lxml_html.fragment_fromstring(html, create_parent="div")
        children = [child for child in root if isinstance(child.tag, str)]
        for child in children:  # the notes come last: read them first, for the references to them
            if _is_note_list(child):
                self._read_notes(child)
        chunks: list[str] = [_escape_line_start(_escape(root.text).strip())]

        def close():
            sections[-1].body = self._with_notes("\n\n".join(chunk for chunk in chunks if chunk))
            sections[-1].images = self._images
            chunks.clear()
            self._images, self._refs = 0, []

        for child in children:
            if _is_note_list(child):
                continue
            if child.tag == "h1" and TITLE_CLASS in (child.get("class") or ""):
                title = " ".join(child.text_content().split())
                if title and not self.document_title:
                    self.document_title = title
                elif title:
                    chunks.append(_escape_line_start(_wrap(_escape(title), "**")))
            elif child.tag in HEADING_TAGS:
                close()
                self._images = len(child.findall(".//img"))
                for link in child.xpath(".//a[starts-with(@href, '#footnote-') or starts-with(@href, '#endnote-')]"):
                    self._link(link, in_table=False)  # the note goes to the end of the heading's section
                    link.drop_tree()
                sections.append(RawSection(level=HEADING_TAGS[child.tag], title=child.text_content(), body=""))
            else:
                chunks.append(self._block(child))
            chunks.append(_escape_line_start(_escape(child.tail).strip()))
        close()
        return sections

    def _with_notes(self, body: str) -> str:
        """The section's text, and after it the notes it refers to."""
        notes = [f"\\[{self._labels[ref]}\\] {self._notes.get(ref, '')}".rstrip() for ref in self._refs]
        return "\n\n".join(filter(None, [body, *notes]))

    def _read_notes(self, ol) -> None:
        for li in ol:
            note_id = li.get("id", "")
            if li.tag != "li" or not NOTE_ID.match(note_id):
                continue
            for link in li.xpath(".//a[starts-with(@href, '#footnote-ref-') or starts-with(@href, '#endnote-ref-')]"):
                link.drop_tree()
            parts = [_escape(li.text)] + [self._inline(child) for child in li if isinstance(child.tag, str)]
            self._notes[note_id] = " ".join(" ".join(part.split()) for part in parts if part.strip())
            self.note_count += 1

    # Blocks

    def _block(self, element) -> str:
        """A block element as Markdown, starting at column 0."""
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("ul", "ol"):
            return self._list(element)
        if tag == "table":
            return self._table(element)
        if tag in ("div", "blockquote"):
            parts = [_escape_line_start(_escape(element.text).strip())]
            for child in element:
                parts.append(self._block(child))
                parts.append(_escape_line_start(_escape(child.tail).strip()))
            return "\n\n".join(part for part in parts if part)
        text = self._inline(element).strip()
        if text and tag in HEADING_TAGS:  # a heading inside a list item or a table cell
            text = _wrap(text, "**")
        return _escape_line_start(text)

    def _list(self, element) -> str:
        ordered = element.tag == "ol"
        items: list[str] = []
        for li in element:
            if li.tag != "li":
                continue
            marker = f"{len(items) + 1}. " if ordered else "- "
            inline, blocks = [_escape(li.text)], []
            for child in li:
                if not isinstance(child.tag, str):
                    continue
                if child.tag in BLOCK_TAGS:
                    blocks.append((child.tag, self._block(child)))
                elif blocks:
                    blocks.append(("p", _escape_line_start(self._inline_element(child).strip())))
                else:
                    inline.append(self._inline_element(child))
                if blocks:
                    blocks.append(("p", _escape_line_start(_escape(child.tail).strip())))
                else:
                    inline.append(_escape(child.tail))
            first = _escape_line_start("".join(inline).strip())
            blocks = [(tag, text) for tag, text in blocks if text]
            if not first and blocks and blocks[0][0] not in ("ul", "ol"):
                first = blocks.pop(0)[1]
            if not first and not blocks:
                continue
            pad = " " * len(marker)
            text = marker + first.replace("\n", "\n" + pad) if first else marker.rstrip()
            for tag, block in blocks:
                text += ("\n" if tag in ("ul", "ol") else "\n\n") + _indent(block, pad)
            items.append(text)
        return "\n".join(items)

    def _table(self, table) -> str:
        rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
        grid: list[list[str]] = []
        covered: set[tuple[int, int]] = set()  # cells taken by a cell spanning rows above
        complex_table = False
        for row_index, row in enumerate(rows):
            cells: list[str] = []
            for cell in row:
                if cell.tag not in ("td", "th"):
                    continue
                while (row_index, len(cells)) in covered:
                    cells.append("")
                if cell.xpath(".//table | .//ul | .//ol") or len(cell.xpath("./p")) > 1:
                    complex_table = True
                colspan, rowspan = _span(cell.get("colspan")), _span(cell.get("rowspan"))
                for offset in range(colspan):
                    for below in range(1, rowspan):
                        covered.add((row_index + below, len(cells)))
                    cells.append(self._cell(cell) if offset == 0 else "")
            while (row_index, len(cells)) in covered:
                cells.append("")
            if any(cells):
                grid.append(cells)
        if not grid:
            return ""
        self.complex_tables += int(complex_table)
        width = max(len(row) for row in grid)
        grid = [row + [""] * (width - len(row)) for row in grid]
        lines = ["| " + " | ".join(grid[0]) + " |", "|" + "|".join([" --- "] * width) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in grid[1:]]
        return "\n".join(lines)

    def _cell(self, cell) -> str:
        """A table cell on one line: its paragraphs, list items and inner tables joined by spaces."""
        return " ".join(self._inline(cell, in_table=True).split())

    # Inline

    def _inline(self, element, *, in_table: bool = False) -> str:
        parts = [_escape(element.text, in_table=in_table)]
        for child in element:
            if isinstance(child.tag, str):
                parts.append(self._inline_element(child, in_table=in_table))
            parts.append(_escape(child.tail, in_table=in_table))
        return "".join(parts)

    def _inline_element(self, element, *, in_table: bool = False) -> str:
        tag = element.tag
        if tag == "img":
            self._images += 1
            return ""
        if tag == "br":
            return " " if in_table else HARD_BREAK
        if tag == "a":
            return self._link(element, in_table=in_table)
        if tag in SPACED_TAGS:  # a block where text was expected (in a table cell): its text, on the line
            return " " + self._inline(element, in_table=in_table).strip() + " "
        inner = self._inline(element, in_table=in_table)
        if tag in ("strong", "b"):
            return _wrap(inner, "**")
        if tag in ("em", "i"):
            return _wrap(inner, "*")
        if tag in ("s", "del", "strike"):
            return _wrap(inner, "~~")
        return inner

    def _link(self, element, *, in_table: bool) -> str:
        href = (element.get("href") or "").strip()
        if href.startswith("#") and NOTE_ID.match(href[1:]):
            note_id = href[1:]
            label = self._labels.setdefault(note_id, "".join(re.findall(r"\d+", element.text_content())) or "?")
            if note_id not in self._refs:
                self._refs.append(note_id)
            return f"\\[{label}\\]"
        inner = self._inline(element, in_table=in_table)
        if not href.lower().startswith(SAFE_SCHEMES) or not inner.strip():
            return inner  # an anchor in the document, or a kind of link the portal does not show
        href = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", href)
        for character, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), ("|", "%7C")):
            href = href.replace(character, code)
        lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
        return f"{lead}[{inner.strip()}]({href}){trail}"


def _span(value) -> int:
    try:
        return max(1, min(int(value or 1), 50))
    except ValueError:
        return 1


# Writing ---------------------------------------------------------------------------------------


def _depth(section: Section | None) -> int:
    depth = 0
    while section is not None:
        depth += 1
        section = section.parent
    return depth


@transaction.atomic
def concept_import(*, concept: Concept, plan: ImportPlan, user, parent: Section | None = None) -> list[Section]:
    """Creates the plan's sections, each with its first version, at the end of the concept or under `parent`.

    One transaction: any refusal (a section too long, the outline too deep) leaves nothing written."""
    if plan.errors:
        raise ValidationError(plan.errors)
    if not plan.sections:
        raise ValidationError(_("The file has no text to import."))
    if _depth(parent) + plan.depth > MAX_DEPTH:
        raise ValidationError({"parent": _("Sections can be nested three levels deep at most.")})
    parents: list[Section | None] = [parent]  # parents[n]: where a section of level n + 1 goes
    created = []
    for planned in plan.sections:
        section = services.section_add(
            concept=concept, title=planned.title, body=planned.body, parent=parents[planned.level - 1], user=user
        )
        del parents[planned.level :]
        parents.append(section)
        created.append(section)
    return created


@transaction.atomic
def concept_create_from_plan(
    *, project, title: str, language: str, plan: ImportPlan, user, target_languages=(), title_ru: str = ""
) -> Concept:
    """A new concept with the plan's sections: both or nothing."""
    if plan.errors:
        raise ValidationError(plan.errors)
    concept = services.concept_create(
        project=project,
        title=title,
        title_ru=title_ru,
        language=language,
        user=user,
        target_languages=target_languages,
    )
    concept_import(concept=concept, plan=plan, user=user)
    return concept


# As a background job (common.imports) ------------------------------------------------------------

JOB_NEW_CONCEPT = "concept"
JOB_SECTIONS = "sections"


def import_job_read(job, progress) -> dict:
    """The work of a concept import job: the stored upload → the plan, as JSON for the job's result."""
    with default_storage.open(job.upload, "rb") as stored:
        data = stored.read(MAX_FILE_BYTES + 1)
    return plan_to_json(parse_file(data, filename=job.filename, progress=progress))
