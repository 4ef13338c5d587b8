"""Reading a marked-up Word file back: its tracked changes and comments, section by section.

The first step of importing a file that a counterpart marked up in Word (issue #17, "Import a
marked-up file back"): no database, no models, only what the file says, for a preview and for the
service that will turn it into suggestions and comments.

- Sections are found by the portal's bookmarks (`docx_marks`: `mpf_s<section>_v<version>` around
  each heading) or, in a file without them, by its Heading-styled paragraphs (their titles, for
  the caller to match with the concept's sections).
- A section's text is read twice: as it was before the reviewer's changes (the file's text with
  every tracked change rejected: the base, which the portal's version holds) and with them. Each
  run of consecutive changes (insertions, deletions, paragraph marks inserted or deleted) is one
  `MarkedChange`: the base passage it replaces (`old`, empty for a pure insertion), its new
  wording (`new`, empty for a deletion), where it sits in the base text, and who made it when.
  `quote` and `suggested` say it the way a portal suggestion does: "replace the quoted passage"
  (a passage found once in the section) or "insert after the quoted passage", with a few words of
  context added until the quote is unambiguous.
- Each Word comment becomes a `MarkedComment` on the section where its range starts, with the
  base text it is anchored on as its quote, and its replies (linked by `commentsExtended.xml`, or
  following comments on the same range in files without it).
- What cannot be placed (changes and comments before the first section, such as on the cover)
  is listed in `unplaced`, with why.

Paragraphs are joined by a blank line ("\\n\\n"), as the section's Markdown separates them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree

from .rendering.docx_marks import ExportMarks, read_marks

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
_BOOKMARK_RE = re.compile(r"^mpf_s(\d+)_v(\d+)$")
_HEADING_STYLE_RE = re.compile(r"^(?:heading|berschrift|заголовок)\s*(\d)$", re.IGNORECASE)
PARAGRAPH_BREAK = "\n\n"
NEAREST_QUOTE_CHARS = 300  # a comment on a picture quotes at most this much of the paragraph before it
CONTEXT_WORDS = 12  # at most this many words of context around a change to make its quote unique

BASE, INSERTED, DELETED = "base", "ins", "del"


@dataclass
class MarkedChange:
    old: str  # the base passage replaced or deleted ("" for an insertion)
    new: str  # its new wording ("" for a deletion)
    start: int  # where `old` starts in the section's base text
    author: str
    date: str
    quote: str = ""  # the passage a suggestion quotes: found once in the base text
    suggested: str = ""  # the wording suggested for it
    mode: str = "replace"  # "replace" (the quote by `suggested`) or "insert_after" (the quote)


@dataclass
class MarkedComment:
    author: str
    date: str
    text: str
    quote: str  # the base text the comment is anchored on (see _range_quote; "" when it has no range)
    replies: list[MarkedComment] = field(default_factory=list)
    near: bool = False  # anchored on no words (a picture): `quote` is the nearest paragraph before it
    in_table: bool = False  # its range starts in a table


@dataclass
class MarkedSection:
    title: str  # the heading as the file shows it, changes accepted
    section_id: int | None = None  # from the portal's bookmark
    version_id: int | None = None
    base: str = ""  # the text with every change rejected
    revised: str = ""  # the text with every change accepted
    changes: list[MarkedChange] = field(default_factory=list)
    comments: list[MarkedComment] = field(default_factory=list)


@dataclass
class MarkedFile:
    marks: ExportMarks
    sections: list[MarkedSection]
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (what, why)


def _parse(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    return etree.fromstring(data, parser)


# --- Pieces of text -------------------------------------------------------------------------


def _change_of(element) -> tuple[str, str, str]:
    """(kind, author, date) of the tracked change an element sits in; BASE outside any."""
    for ancestor in element.iterancestors():
        if ancestor.tag in (f"{_W}ins", f"{_W}del", f"{_W}moveTo", f"{_W}moveFrom"):
            kind = INSERTED if ancestor.tag in (f"{_W}ins", f"{_W}moveTo") else DELETED
            return kind, ancestor.get(f"{_W}author", ""), ancestor.get(f"{_W}date", "")
        if ancestor.tag == f"{_W}p":
            break
    return BASE, "", ""


def _paragraph_pieces(paragraph) -> list[tuple[str, str, str, str]]:
    """(kind, text, author, date) of a paragraph's text, its paragraph end last; comment ids as markers."""
    pieces = []
    for element in paragraph.iter():
        tag = element.tag
        if tag in (f"{_W}t", f"{_W}delText"):
            text = element.text or ""
        elif tag == f"{_W}tab":
            text = "\t"
        elif tag == f"{_W}cr" or (tag == f"{_W}br" and element.get(f"{_W}type", "textWrapping") == "textWrapping"):
            text = "\n"  # a line break; a page or column break (LibreOffice writes some) is layout, not text
        elif tag in (f"{_W}commentRangeStart", f"{_W}commentRangeEnd"):
            pieces.append(("start" if tag.endswith("Start") else "end", element.get(f"{_W}id", ""), "", ""))
            continue
        else:
            continue
        kind, author, date = _change_of(element)
        pieces.append((kind, text, author, date))
    mark = paragraph.find(f"{_W}pPr/{_W}rPr")
    kind, author, date = BASE, "", ""
    if mark is not None:
        for change, name in ((INSERTED, "ins"), (DELETED, "del")):
            found = mark.find(f"{_W}{name}")
            if found is not None:
                kind, author, date = change, found.get(f"{_W}author", ""), found.get(f"{_W}date", "")
    pieces.append((kind, PARAGRAPH_BREAK, author, date))
    return pieces


def _is_heading(paragraph, heading_styles: set[str]) -> bool:
    style = paragraph.find(f"{_W}pPr/{_W}pStyle")
    return style is not None and style.get(f"{_W}val", "") in heading_styles


def _heading_style_ids(archive: zipfile.ZipFile) -> set[str]:
    ids = {f"Heading{level}" for level in range(1, 10)}
    if "word/styles.xml" in archive.namelist():
        for style in _parse(archive.read("word/styles.xml")).iter(f"{_W}style"):
            name = style.find(f"{_W}name")
            if name is not None and _HEADING_STYLE_RE.match(name.get(f"{_W}val", "")):
                ids.add(style.get(f"{_W}styleId", ""))
    return ids


# --- Sections -------------------------------------------------------------------------------


class _SectionText:
    """Collects a section's pieces: base and revised texts, changes, and comment ranges on the base text."""

    def __init__(self, section: MarkedSection):
        self.section = section
        self.base: list[str] = []
        self.revised: list[str] = []
        self.base_length = 0
        self.changes: list[MarkedChange] = []
        self.open_change: MarkedChange | None = None

    def add(self, kind: str, text: str, author: str, date: str) -> None:
        if kind == BASE:
            self.open_change = None
            self.base.append(text)
            self.revised.append(text)
            self.base_length += len(text)
            return
        change = self.open_change
        if change is None:
            change = MarkedChange(old="", new="", start=self.base_length, author=author, date=date)
            self.changes.append(change)
            self.open_change = change
        if kind == DELETED:
            change.old += text
            self.base.append(text)
            self.base_length += len(text)
        else:
            change.new += text
            self.revised.append(text)

    def finish(self) -> MarkedSection:
        base = "".join(self.base)
        self.section.base = base.removesuffix(PARAGRAPH_BREAK)
        self.section.revised = "".join(self.revised).removesuffix(PARAGRAPH_BREAK)
        for change in self.changes:
            _without_final_break(change, base)
            _quote(change, self.section.base)
        self.section.changes = self.changes
        return self.section


def _without_final_break(change: MarkedChange, base: str) -> None:
    """A change that reaches the section's last paragraph end, said without it: the section's text
    has no break after its last paragraph, so the break moves to the front of the change."""
    if change.start + len(change.old) != len(base):
        return
    if change.start >= len(PARAGRAPH_BREAK) and base[change.start - len(PARAGRAPH_BREAK) : change.start] == (
        PARAGRAPH_BREAK
    ):
        change.start -= len(PARAGRAPH_BREAK)
        if change.old:
            change.old = PARAGRAPH_BREAK + change.old.removesuffix(PARAGRAPH_BREAK)
        if change.new.endswith(PARAGRAPH_BREAK):
            change.new = PARAGRAPH_BREAK + change.new.removesuffix(PARAGRAPH_BREAK)
        return
    change.old = change.old.removesuffix(PARAGRAPH_BREAK)
    change.new = change.new.removesuffix(PARAGRAPH_BREAK)


def _words_before(text: str, end: int, count: int) -> int:
    """Where the `count` words before `end` start."""
    position = end
    for _word in range(count):
        match = re.search(r"\S+\s*$", text[:position])
        if match is None:
            return 0
        position = match.start()
    return position


def _words_after(text: str, start: int, count: int) -> int:
    position = start
    for _word in range(count):
        match = re.match(r"\s*\S+", text[position:])
        if match is None:
            return len(text)
        position += match.end()
    return position


def _quote(change: MarkedChange, base: str) -> None:
    """Says the change as a suggestion: the shortest passage around it found once in the base text."""
    start, end = change.start, change.start + len(change.old)
    if change.old.strip():
        for extra in range(CONTEXT_WORDS + 1):
            quote_start = _words_before(base, start, extra)
            quote = base[quote_start:end]
            if base.count(quote) == 1 or extra == CONTEXT_WORDS:
                change.mode, change.quote = "replace", quote
                change.suggested = base[quote_start:start] + change.new
                return
    for extra in range(1, CONTEXT_WORDS + 1):  # an insertion: after the words before it
        quote_start = _words_before(base, start, extra)
        quote = base[quote_start:start]
        if quote.strip() and (base.count(quote) == 1 or extra == CONTEXT_WORDS or quote_start == 0):
            change.mode, change.quote, change.suggested = "insert_after", quote, change.new
            return
    # At the very start of the section: the words after it, replaced by the insertion and them.
    quote_end = _words_after(base, end, 1)
    change.mode, change.quote = "replace", base[start:quote_end]
    change.suggested = change.new + base[end:quote_end]


# --- Comments -------------------------------------------------------------------------------


@dataclass
class _WordComment:
    author: str
    date: str
    text: str
    para_id: str = ""
    parent_para_id: str = ""


def _comments(archive: zipfile.ZipFile) -> dict[str, _WordComment]:
    names = set(archive.namelist())
    if "word/comments.xml" not in names:
        return {}
    found = {}
    for comment in _parse(archive.read("word/comments.xml")).iter(f"{_W}comment"):
        paragraphs = list(comment.iter(f"{_W}p"))
        text = "\n\n".join("".join(t.text or "" for t in p.iter(f"{_W}t")) for p in paragraphs).strip()
        para_id = paragraphs[-1].get(f"{_W14}paraId", "") if paragraphs else ""
        found[comment.get(f"{_W}id", "")] = _WordComment(
            comment.get(f"{_W}author", ""), comment.get(f"{_W}date", ""), text, para_id
        )
    if "word/commentsExtended.xml" in names:
        parents = {}
        for entry in _parse(archive.read("word/commentsExtended.xml")).iter(f"{_W15}commentEx"):
            if entry.get(f"{_W15}paraIdParent"):
                parents[entry.get(f"{_W15}paraId")] = entry.get(f"{_W15}paraIdParent")
        for comment in found.values():
            comment.parent_para_id = parents.get(comment.para_id, "")
    return found


def _attach_comments(
    ranges: list[tuple[str, MarkedSection | None, str, bool]],
    comments: dict[str, _WordComment],
    unplaced: list,
    table_ranges: set[str] = frozenset(),
) -> None:
    """Puts each comment (with its replies) on its section; `ranges`: (comment id, section, quote, near)."""
    order = {comment_id: index for index, comment_id in enumerate(comments)}  # as Word wrote them: oldest first
    ranges = sorted(ranges, key=lambda found: order.get(found[0], len(order)))
    by_para_id = {comment.para_id: comment for comment in comments.values() if comment.para_id}
    threads: dict[int, MarkedComment] = {}
    seen_ranges: dict[tuple, MarkedComment] = {}
    for comment_id, section, quote, near in ranges:
        comment = comments.get(comment_id)
        if comment is None:
            continue
        marked = MarkedComment(
            comment.author, comment.date, comment.text, quote.strip(), near=near, in_table=comment_id in table_ranges
        )
        parent = by_para_id.get(comment.parent_para_id)
        if parent is not None and id(parent) in threads:
            threads[id(parent)].replies.append(marked)
            continue
        if not comments_extended(comments) and (id(section), quote) in seen_ranges:
            seen_ranges[(id(section), quote)].replies.append(marked)  # replies share their comment's range
            continue
        threads[id(comment)] = marked
        seen_ranges[(id(section), quote)] = marked
        if section is None:
            unplaced.append((comment.text, _("The comment is not in any section (it is before the first heading).")))
        else:
            section.comments.append(marked)


def comments_extended(comments: dict[str, _WordComment]) -> bool:
    return any(comment.parent_para_id for comment in comments.values())


# --- The file -------------------------------------------------------------------------------


def read_markup(data: bytes) -> MarkedFile:
    """The sections, tracked changes and comments of a .docx's bytes (the caller bounds their size)."""
    marks = read_marks(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = _parse(archive.read("word/document.xml")).find(f"{_W}body")
        heading_styles = _heading_style_ids(archive)
        comments = _comments(archive)
    sections: list[MarkedSection] = []
    unplaced: list[tuple[str, str]] = []
    current: _SectionText | None = None
    open_ranges: dict[str, tuple[MarkedSection | None, list[str]]] = {}
    ranges: list[tuple[str, MarkedSection | None, str, bool]] = []
    table_ranges: set[str] = set()  # the comments whose range starts in a table cell
    for paragraph in body.iter(f"{_W}p"):
        bookmark = next(
            (
                match
                for b in paragraph.iter(f"{_W}bookmarkStart")
                if (match := _BOOKMARK_RE.match(b.get(f"{_W}name", "")))
            ),
            None,
        )
        pieces = _paragraph_pieces(paragraph)
        if bookmark is not None or (not marks.sections and _is_heading(paragraph, heading_styles)):
            if current is not None:
                sections.append(current.finish())
            title = "".join(text for kind, text, _a, _d in pieces[:-1] if kind in (BASE, INSERTED))
            section = MarkedSection(title=title.strip())
            if bookmark is not None:
                section.section_id, section.version_id = int(bookmark.group(1)), int(bookmark.group(2))
            current = _SectionText(section)
            _ranges_only(pieces, section, open_ranges, ranges)
            continue
        in_table = paragraph.getparent() is not None and paragraph.getparent().tag == f"{_W}tc"
        for kind, text, author, date in pieces:
            if kind in ("start", "end"):
                _range_mark(kind, text, current, open_ranges, ranges)
                if kind == "start" and in_table:
                    table_ranges.add(text)
                continue
            if current is None:
                if kind != BASE and text.strip():
                    unplaced.append((text, _("The change is not in any section (it is before the first heading).")))
                continue
            current.add(kind, text, author, date)
            for _section, collected in open_ranges.values():
                collected.append((kind, text))
    if current is not None:
        sections.append(current.finish())
    for comment_id, (section, collected) in open_ranges.items():
        ranges.append((comment_id, section, _range_quote(collected), False))
    _attach_comments(ranges, comments, unplaced, table_ranges)
    return MarkedFile(marks=marks, sections=sections, unplaced=unplaced)


def _ranges_only(pieces, section, open_ranges, ranges) -> None:
    """A heading's comment ranges: they start (or end) on the section, quoting nothing of its text."""
    for kind, text, _author, _date in pieces:
        if kind == "start":
            open_ranges[text] = (section, [])
        elif kind == "end" and text in open_ranges:
            owner, collected = open_ranges.pop(text)
            ranges.append((text, owner, _range_quote(collected), False))


def _range_mark(kind, comment_id, current, open_ranges, ranges) -> None:
    if kind == "start":
        open_ranges[comment_id] = (current.section if current else None, [])
    elif comment_id in open_ranges:
        owner, collected = open_ranges.pop(comment_id)
        quote = _range_quote(collected)
        nearest = _nearest_paragraph(current) if not quote.strip() and current is not None else ""
        if nearest and owner is current.section:
            ranges.append((comment_id, owner, nearest, True))
        else:
            ranges.append((comment_id, owner, quote, False))


def _nearest_paragraph(current: _SectionText) -> str:
    """The last paragraph with words read so far in the section (its first words if it is long):
    where a comment on a picture is placed."""
    paragraphs = [p.strip() for p in "".join(current.base).split(PARAGRAPH_BREAK) if p.strip()]
    if not paragraphs:
        return ""
    paragraph = paragraphs[-1]
    if len(paragraph) > NEAREST_QUOTE_CHARS:
        paragraph = paragraph[:NEAREST_QUOTE_CHARS].rsplit(" ", 1)[0]
    return paragraph


def _range_quote(collected: list[tuple[str, str]]) -> str:
    """The base text a comment's range covers; when it covers only inserted words (in a file that came
    with tracked changes, such as the portal's comparison), those words."""
    base = "".join(text for kind, text in collected if kind != INSERTED)
    return base if base.strip() else "".join(text for kind, text in collected if kind != DELETED)
