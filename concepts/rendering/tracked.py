"""A Word file of a comparison with native tracked changes and comments (RenderJob kind `tracked_docx`).

The body is the newer text (an edition, or the current draft) with every difference from the older
one (an earlier edition) as Word revisions, so that Review → Accept All gives exactly the newer
text and Reject All exactly the older one, paragraph by paragraph:

- Each section's Markdown is rendered and sanitised as usual and flattened into paragraphs (style,
  and runs of text with their bold/italic/strike/code/link formats). A section's text is its
  paragraphs, each ended by "\\n" (a line break inside a paragraph is U+2028), and the two texts are
  diffed word by word with `concepts.textdiff.diff_words`. An inserted or deleted "\\n" is an
  inserted or deleted paragraph mark (`w:pPr/w:rPr/w:ins|w:del`), so a paragraph inserted, removed,
  split or joined is one too. Inserted words are `w:ins` runs, deleted ones `w:del` runs with
  `w:delText`; a paragraph that keeps its text but changes its style (a list item becoming a plain
  paragraph) carries a `w:pPrChange`. Formatting changes of unchanged words are not tracked: they
  show in the newer formatting.
- Sections are matched by identity. A section in both, in the same order, is diffed in place (its
  heading too: number and title). A section added, or moved (outside the longest run of sections
  kept in order), is inserted whole where it now is; a section removed, or moved away, is deleted
  whole where it was. Accept All and Reject All therefore also restore the outline's order.
- Every revision carries the author and date of the version that made it: the versions between the
  older and the newer of a section are replayed (`_blame`), each inserted character attributed to
  the version that wrote it and each deleted one to the version that deleted it (at most
  MAX_REPLAYED_VERSIONS, the earliest ones beyond that counted as one step). Outline changes (a
  section added, removed or moved) have no version: they carry the newer edition's creator and
  date, or "MPF Portal" and the draft's time.
- The open comments (and suggestions) made on the versions compared, from the older to the newer of
  each section, are Word comments (`word/comments.xml`, `w:commentRangeStart/End`,
  `w:commentReference`) on the first place where their quoted passage is found in the newer text,
  else in the deleted text, else on the section heading with a note. Their replies are comments on
  the same passage, linked to them in `word/commentsExtended.xml` (Word 2013 and later show them as
  a thread; LibreOffice shows them one after the other).
- `docx_marks` marks the file: the concept, the base (the newer side), the older side, and a bookmark
  per section heading.
"""

from __future__ import annotations

import bisect
import datetime
import difflib
import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import lxml.html
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.markdown import render_markdown

from ..models import Comment, Concept, Edition, RenderJob, SectionVersion
from ..textdiff import DELETE, EQUAL, INSERT, diff_words
from . import docx_marks
from .documents import (
    SideEntry,
    _date,
    _project_facts,
    _stem,
    draft_side,
    draft_snapshot,
    edition_side,
    redline_sides,
    render_options,
)

INS, DEL = "ins", "del"
PARAGRAPH_END = "\n"
LINE_BREAK = "\u2028"  # a <br> inside a paragraph: not a paragraph end, for the diff and for Word
MAX_REPLAYED_VERSIONS = 40
HEADING_STYLES = {1: "Heading 1", 2: "Heading 2", 3: "Heading 3"}
_SPACES_RE = re.compile(r"[^\S\u2028]+")
_INLINE_FORMATS = {
    **{"strong": "bold", "b": "bold", "em": "italic", "i": "italic"},
    **{"del": "strike", "s": "strike", "code": "code", "a": "link"},
}
_LIST_STYLES = {"ul": "List Bullet", "ol": "List Number"}
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_EXTENDED_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
COMMENTS_EXTENDED_REL = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"


# What XML 1.0 cannot hold (a vertical tab pasted from another program, say): dropped on the way out.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def w(name: str) -> str:
    return f"{{{_W}}}{name}"


def xml_text(text: str) -> str:
    return _NOT_XML_RE.sub("", text)


# --- The model of the file -------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    author: str
    date: str  # ISO 8601, UTC, as Word writes it: 2020-02-25T10:00:00Z


@dataclass
class Block:
    """One paragraph of a section's text as Word shows it."""

    style: str  # "" (Normal), "Quote", "List Bullet 2", ...
    runs: list[tuple[str, frozenset]]

    @property
    def text(self) -> str:
        return "".join(text for text, _formats in self.runs)


@dataclass
class Segment:
    text: str
    formats: frozenset
    change: str = ""  # "", INS or DEL
    by: Attribution | None = None


@dataclass
class Anchor:
    start: int  # offsets in the paragraph's text as shown (inserted and deleted words both counted)
    end: int
    comment: int  # the index of the first comment of the thread; its replies share the anchor
    count: int  # the comments anchored here: the comment and its replies


@dataclass
class Paragraph:
    style: str
    segments: list[Segment] = field(default_factory=list)
    mark: str = ""  # the paragraph mark's revision: "", INS or DEL
    mark_by: Attribution | None = None
    old_style: str | None = None  # the style before, when only the style changed
    bookmark: str = ""
    page_break: bool = False
    anchors: list[Anchor] = field(default_factory=list)

    def view(self, change_left_out: str) -> tuple[str, list[int]]:
        """The text without the `change_left_out` words, and where each of its characters is shown."""
        text, where, offset = [], [], 0
        for segment in self.segments:
            if segment.change != change_left_out:
                text.append(segment.text)
                where.extend(range(offset, offset + len(segment.text)))
            offset += len(segment.text)
        return "".join(text), where


@dataclass
class WordComment:
    author: str
    initials: str
    date: str
    paragraphs: list[str]
    parent: int | None = None  # the index of the comment it replies to


@dataclass
class TrackedDocument:
    kind: str
    language: str
    concept_title: str
    project_title: str
    author: str
    label: str
    old_label: str
    new_label: str
    date_text: str
    funding: str
    statement: str
    paragraphs: list[Paragraph]
    comments: list[WordComment]
    marks: dict
    filename_stem: str
    counts: dict
    draft: bool = False
    draft_versions: list = field(default_factory=list)
    content_hash: str = ""

    @property
    def title(self) -> str:
        return f"{self.concept_title} – {self.label}"

    def filename(self, extension: str = "docx") -> str:
        return f"{self.filename_stem}-{self.language}.{extension}"


# --- Sections as paragraphs ------------------------------------------------------------------------


def _inline(element, formats: frozenset, runs: list) -> None:
    def add(text):
        if text:
            runs.append((_SPACES_RE.sub(" ", text), formats))

    add(element.text)
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "br":
            runs.append((LINE_BREAK, formats))
        elif child.tag not in _LIST_STYLES:  # nested lists are paragraphs of their own
            _inline(child, formats | {_INLINE_FORMATS.get(child.tag, "")} - {""}, runs)
        if child.tail:
            runs.append((_SPACES_RE.sub(" ", child.tail), formats))


def _block(style: str, runs: list) -> Block | None:
    """A paragraph of `runs`, without the spaces at its ends; None when it has no text."""
    runs = [(text, formats) for text, formats in runs if text]
    while runs and not runs[0][0].strip(" "):
        runs.pop(0)
    while runs and not runs[-1][0].strip(" "):
        runs.pop()
    if not runs:
        return None
    runs[0] = (runs[0][0].lstrip(" "), runs[0][1])
    runs[-1] = (runs[-1][0].rstrip(" "), runs[-1][1])
    return Block(style, runs)


def _list_blocks(element, level: int, blocks: list) -> None:
    style = _LIST_STYLES[element.tag] + ("" if level == 1 else f" {min(level, 3)}")
    for item in element:
        if item.tag != "li":
            continue
        runs = []
        _inline(item, frozenset(), runs)
        blocks.append(_block(style, runs))
        for nested in item:
            if nested.tag in _LIST_STYLES:
                _list_blocks(nested, level + 1, blocks)


def _children_blocks(element, blocks: list, quote: bool = False) -> None:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        tag, runs = child.tag, []
        if tag in _LIST_STYLES:
            _list_blocks(child, 1, blocks)
        elif tag == "blockquote":
            _children_blocks(child, blocks, quote=True)
        elif tag == "pre":
            text = child.text_content().rstrip("\n").replace("\n", LINE_BREAK)
            blocks.append(_block("", [(text.replace("\t", " "), frozenset({"code"}))]))
        elif tag == "table":
            for row in child.iter("tr"):
                cells = [_SPACES_RE.sub(" ", cell.text_content()).strip() for cell in row if cell.tag in ("th", "td")]
                blocks.append(_block("", [("\t".join(cells), frozenset())]))
        elif tag == "hr":
            blocks.append(_block("", [("* * *", frozenset())]))
        else:
            heading = frozenset({"bold"}) if tag in ("h1", "h2", "h3", "h4", "h5", "h6") else frozenset()
            _inline(child, heading, runs)
            blocks.append(_block("Quote" if quote else "", runs))


def markdown_blocks(body: str) -> list[Block]:
    """The paragraphs of a section's Markdown (rendered and sanitised as on its page)."""
    html = str(render_markdown(body))
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    blocks: list = []
    if (root.text or "").strip():
        runs = []
        _inline(root, frozenset(), runs)
        blocks.append(_block("", runs))
    else:
        _children_blocks(root, blocks)
    return [block for block in blocks if block is not None]


class SideText:
    """A section's paragraphs as one text for the diff, with the formats and style of every character."""

    def __init__(self, blocks: list[Block]):
        self.blocks = blocks
        pieces, self.starts, self.formats, self.paragraph_ends = [], [], [], []
        offset = 0
        for block in blocks:
            for text, formats in block.runs:
                self.starts.append(offset)
                self.formats.append(formats)
                pieces.append(text)
                offset += len(text)
            self.starts.append(offset)
            self.formats.append(frozenset())
            pieces.append(PARAGRAPH_END)
            offset += 1
        self.text = "".join(pieces)

    def format_at(self, offset: int) -> frozenset:
        return self.formats[bisect.bisect_right(self.starts, offset) - 1]

    def next_boundary(self, offset: int) -> int:
        """Where the run holding `offset` ends."""
        index = bisect.bisect_right(self.starts, offset)
        return self.starts[index] if index < len(self.starts) else len(self.text)


# --- Who made each change ------------------------------------------------------------------------


def _blame(texts: list[str], steps: list[Attribution]) -> tuple[list, list]:
    """Replays `texts` (oldest first; `steps[i]` made texts[i]).

    Returns, for each character of the last text, the Attribution of the step that wrote it (or
    None: it was in the first text), and for each character of the first, the step that deleted it
    (None: still there).
    """
    origin: list = list(range(len(texts[0])))
    deleted_by: list = [None] * len(texts[0])
    for step in range(1, len(texts)):
        carried, position = [], 0
        for op in diff_words(texts[step - 1], texts[step]):
            size = len(op.text)
            if op.kind == EQUAL:
                carried.extend(origin[position : position + size])
                position += size
            elif op.kind == INSERT:
                carried.extend([steps[step]] * size)
            else:
                for source in origin[position : position + size]:
                    if isinstance(source, int):
                        deleted_by[source] = steps[step]
                position += size
        origin = carried
    return [None if isinstance(source, int) else source for source in origin], deleted_by


def _iso(moment) -> str:
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{moment:%Y-%m-%d}T00:00:00Z"


def _person(user) -> str:
    if user is None:
        return _("MPF Portal")
    return user.get_full_name() or user.get_username()


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:3] if word).upper()[:4] or "?"


def _attribution(version: SectionVersion) -> Attribution:
    return Attribution(_person(version.author), _iso(version.created_at))


# --- Diffing sections into paragraphs ---------------------------------------------------------------


class _Builder:
    """Turns the diff of two SideTexts into Paragraphs, splitting runs where formats or authors change."""

    def __init__(self, old: SideText, new: SideText, *, written_by: list, deleted_by: list, fallback: Attribution):
        self.old, self.new = old, new
        self.written_by, self.deleted_by, self.fallback = written_by, deleted_by, fallback
        self.paragraphs: list[Paragraph] = []
        self.current = Paragraph(style="")
        self.old_index = self.new_index = 0

    def _who(self, change: str, offset: int) -> Attribution:
        found = (self.written_by if change == INS else self.deleted_by)[offset] if change else None
        return found or self.fallback

    def _end_paragraph(self, change: str, by: Attribution | None) -> None:
        paragraph = self.current
        paragraph.mark, paragraph.mark_by = change, by
        if change == DEL:
            paragraph.style = self.old.blocks[self.old_index].style
            self.old_index += 1
        else:
            paragraph.style = self.new.blocks[self.new_index].style
            if change == "":
                old_style = self.old.blocks[self.old_index].style
                paragraph.old_style = old_style if old_style != paragraph.style else None
                self.old_index += 1
            self.new_index += 1
        self.paragraphs.append(paragraph)
        self.current = Paragraph(style="")

    def add(self, side: SideText, start: int, end: int, change: str) -> None:
        """The characters start:end of `side` (the newer for equal and inserted text, else the older)."""
        position = start
        while position < end:
            if side.text[position] == PARAGRAPH_END:
                by = self._who(change, position) if change else None
                self._end_paragraph(change, by)
                position += 1
                continue
            stop = min(end, side.next_boundary(position))
            paragraph_end = side.text.find(PARAGRAPH_END, position, stop)
            stop = paragraph_end if paragraph_end != -1 else stop
            if change:  # one author per run
                who = self._who(change, position)
                cut = position + 1
                while cut < stop and self._who(change, cut) == who:
                    cut += 1
                stop = cut
            else:
                who = None
            self._append(Segment(side.text[position:stop], side.format_at(position), change, who))
            position = stop

    def _append(self, segment: Segment) -> None:
        segments = self.current.segments
        if segments and (segments[-1].formats, segments[-1].change, segments[-1].by) == (
            segment.formats,
            segment.change,
            segment.by,
        ):
            segments[-1].text += segment.text
        else:
            segments.append(segment)

    def build(self) -> list[Paragraph]:
        old_position = new_position = 0
        for op in diff_words(self.old.text, self.new.text):
            size = len(op.text)
            if op.kind == EQUAL:
                self.add(self.new, new_position, new_position + size, "")
                old_position, new_position = old_position + size, new_position + size
            elif op.kind == INSERT:
                self.add(self.new, new_position, new_position + size, INS)
                new_position += size
            elif op.kind == DELETE:
                self.add(self.old, old_position, old_position + size, DEL)
                old_position += size
        return self.paragraphs


def _heading(old_text: str, new_text: str, *, level: int, by: Attribution, whole: str = "") -> Paragraph:
    """A section's heading paragraph: `whole` INS or DEL for a section added or removed, else the diff."""
    paragraph = Paragraph(style=HEADING_STYLES[min(max(level, 1), 3)], page_break=level == 1)
    if whole:
        paragraph.segments = [Segment(new_text if whole == INS else old_text, frozenset(), whole, by)]
        paragraph.mark, paragraph.mark_by = whole, by
        return paragraph
    for op in diff_words(old_text, new_text):
        change = {EQUAL: "", INSERT: INS, DELETE: DEL}[op.kind]
        paragraph.segments.append(Segment(op.text, frozenset(), change, by if change else None))
    return paragraph


# --- Building the document ---------------------------------------------------------------------------


@dataclass
class _SectionPlan:
    """One section's place in the file: in both states (diffed), or only in one of them."""

    old: SideEntry | None
    new: SideEntry | None
    moved: bool = False  # in both states, out of order: deleted where it was, inserted where it is


def plan_sections(old_side: list[SideEntry], new_side: list[SideEntry]) -> list[_SectionPlan]:
    """Both outlines merged: kept sections in place, the others deleted where they were and inserted where they are."""
    old_ids = [entry.section_id for entry in old_side]
    new_ids = [entry.section_id for entry in new_side]
    old_by_id = {entry.section_id: entry for entry in old_side}
    plan = []
    matcher = difflib.SequenceMatcher(None, old_ids, new_ids, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            plan.extend(_SectionPlan(old_by_id[new.section_id], new) for new in new_side[j1:j2])
            continue
        plan.extend(_SectionPlan(old, None, old.section_id in new_ids) for old in old_side[i1:i2])
        plan.extend(_SectionPlan(None, new, new.section_id in old_by_id) for new in new_side[j1:j2])
    return plan


class _Versions:
    """The versions and blocks the file needs, read in a few queries."""

    def __init__(self, sections: Iterable[int], language: str):
        self.language = language
        self.by_section: dict[int, list[SectionVersion]] = {}
        versions = (
            SectionVersion.objects.filter(section_id__in=list(sections), language=language)
            .select_related("author")
            .order_by("section_id", "number")
        )
        self.by_id = {}
        for version in versions:
            self.by_section.setdefault(version.section_id, []).append(version)
            self.by_id[version.pk] = version
        self._blocks: dict[int, SideText] = {}

    def text(self, version_id: int | None) -> SideText:
        if version_id is None:
            return SideText([])
        if version_id not in self._blocks:
            self._blocks[version_id] = SideText(markdown_blocks(self.by_id[version_id].body))
        return self._blocks[version_id]

    def between(self, section_id: int, old_id: int | None, new_id: int) -> list[SectionVersion]:
        """The versions after `old_id` (None: from the first) up to `new_id`, at most MAX_REPLAYED_VERSIONS."""
        chain = self.by_section.get(section_id, [])
        old_number = self.by_id[old_id].number if old_id else 0
        new_number = self.by_id[new_id].number
        steps = [version for version in chain if old_number < version.number <= new_number]
        if not steps or steps[-1].pk != new_id:  # not a line of history (a restored or foreign version)
            return [self.by_id[new_id]]
        if len(steps) > MAX_REPLAYED_VERSIONS:
            steps = [steps[0], *steps[-(MAX_REPLAYED_VERSIONS - 1) :]]
        return steps


def _section_paragraphs(plan: _SectionPlan, versions: _Versions, outline_by: Attribution) -> list[Paragraph]:
    old, new = plan.old, plan.new
    shown = new or old
    heading_old = f"{old.number} {old.title}" if old else ""
    heading_new = f"{new.number} {new.title}" if new else ""
    if old and new:
        steps = versions.between(new.section_id, old.version_id, new.version_id)
        texts = [versions.text(old.version_id).text, *(versions.text(step.pk).text for step in steps)]
        written_by, deleted_by = _blame(texts, [outline_by, *(_attribution(step) for step in steps)])
        titles = [old.title, *(step.title for step in steps)]
        title_by = next(
            (_attribution(steps[i - 1]) for i in range(len(titles) - 1, 0, -1) if titles[i] != titles[i - 1]),
            outline_by,
        )
        heading = _heading(heading_old, heading_new, level=new.level, by=title_by)
        old_text, new_text = versions.text(old.version_id), versions.text(new.version_id)
        fallback = _attribution(versions.by_id[new.version_id])
    elif new:
        heading = _heading("", heading_new, level=new.level, by=outline_by, whole=INS)
        old_text, new_text = SideText([]), versions.text(new.version_id)
        written_by, deleted_by, fallback = [None] * len(new_text.text), [], outline_by
        if not plan.moved:  # a new section: each word by the version that wrote it
            steps = versions.between(new.section_id, None, new.version_id)
            texts = ["", *(versions.text(step.pk).text for step in steps)]
            written_by, _deleted = _blame(texts, [outline_by, *(_attribution(step) for step in steps)])
    else:
        heading = _heading(heading_old, "", level=old.level, by=outline_by, whole=DEL)
        old_text, new_text = versions.text(old.version_id), SideText([])
        written_by, deleted_by = [], [None] * len(old_text.text)
        fallback = outline_by
    heading.bookmark = docx_marks.bookmark_name(shown.section_id, shown.version_id)
    builder = _Builder(old_text, new_text, written_by=written_by, deleted_by=deleted_by, fallback=fallback)
    return [heading, *builder.build()]


# --- Comments ------------------------------------------------------------------------------------


def _plain(markdown: str) -> list[str]:
    return [block.text.replace(LINE_BREAK, " ") for block in markdown_blocks(markdown)] or [markdown.strip()]


def _comment_paragraphs(comment: Comment) -> list[str]:
    lines = []
    if comment.is_recommendation:
        lines.append(_("Recommendation"))
    lines.extend(_plain(comment.body))
    if comment.suggestion_mode:
        lines.append(f"{comment.get_suggestion_mode_display()}: {comment.suggested_text}")
    if comment.source_activity_id:
        lines.append(_("Raised at: %(activity)s") % {"activity": comment.source_activity.title})
    if comment.source_organisation_id:
        lines.append(_("On behalf of: %(organisation)s") % {"organisation": comment.source_organisation.name})
    return [line for line in lines if line]


def _word_comment(comment: Comment, parent: int | None = None, note: str = "") -> WordComment:
    author = comment.word_author or _person(comment.author)  # an outside contributor's own name, as Word had it
    paragraphs = _comment_paragraphs(comment)
    if note:
        paragraphs.insert(0, note)
    return WordComment(author, _initials(author), _iso(comment.created_at), paragraphs, parent)


def _quote_candidates(quote: str) -> list[str]:
    quote = quote.strip()
    if not quote:
        return []
    plain = " ".join(_plain(quote))
    first_line = quote.splitlines()[0].strip()
    return [candidate for candidate in dict.fromkeys([quote, plain, first_line]) if candidate]


def _find_anchor(paragraphs: list[Paragraph], quote: str) -> tuple[int, int, int] | None:
    """(paragraph index, start, end) of the quote in the newer text, else in the older; None if nowhere."""
    candidates = _quote_candidates(quote)
    for left_out in (DEL, INS):
        for index, paragraph in enumerate(paragraphs):
            text, where = paragraph.view(left_out)
            for candidate in candidates:
                found = text.find(candidate)
                if found != -1:
                    return index, where[found], where[found + len(candidate) - 1] + 1
    return None


def _open_comments(plans: list[_SectionPlan], versions: _Versions) -> dict[int, list[Comment]]:
    """The open comments on the versions compared, by section, each with its replies."""
    wanted = set()
    for plan in plans:
        new, old = plan.new, plan.old
        if new and old:
            steps = versions.between(new.section_id, old.version_id, new.version_id)
            wanted.update([old.version_id, *(step.pk for step in steps)])
        elif new:
            wanted.update(step.pk for step in versions.between(new.section_id, None, new.version_id))
        else:
            wanted.add(old.version_id)
    comments = (
        Comment.objects.filter(version_id__in=wanted, parent=None, disposition=Comment.Disposition.OPEN)
        .select_related("author", "source_activity", "source_organisation")
        .prefetch_related("replies__author", "replies__source_activity", "replies__source_organisation")
        .order_by("created_at", "pk")
    )
    by_section: dict[int, list[Comment]] = {}
    for comment in comments:
        by_section.setdefault(comment.section_id, []).append(comment)
    return by_section


def _anchor_comments(paragraphs: list[Paragraph], comments: list[Comment], word_comments: list[WordComment]) -> None:
    """Adds the comments of one section (its paragraphs, the heading first) to `word_comments`, anchored."""
    for comment in comments:
        found = _find_anchor(paragraphs[1:], comment.quote) if comment.quote.strip() else None
        note = ""
        if found is None:
            paragraph, start, end = paragraphs[0], 0, sum(len(s.text) for s in paragraphs[0].segments)
            if comment.quote.strip():
                note = _("[The quoted passage is no longer in the text: “%(quote)s”]") % {"quote": comment.quote}
        else:
            index, start, end = found
            paragraph = paragraphs[1 + index]
        first = len(word_comments)
        word_comments.append(_word_comment(comment, note=note))
        replies = sorted(comment.replies.all(), key=lambda reply: (reply.created_at, reply.pk))
        word_comments.extend(_word_comment(reply, parent=first) for reply in replies)
        paragraph.anchors.append(Anchor(start, end, first, 1 + len(replies)))


# --- The states compared --------------------------------------------------------------------------


def build_tracked_document(
    *,
    concept: Concept,
    edition: Edition,
    other_edition: Edition | None = None,
    against_draft: bool = False,
    draft_versions: list | None = None,
) -> TrackedDocument:
    """The comparison of `edition` with `other_edition` (older → newer) or with the current draft."""
    language = concept.language
    with translation.override(language):
        if against_draft:
            snapshot = draft_versions if draft_versions is not None else draft_snapshot(concept)
            old_edition, new_edition = edition, None
            new_side, draft_time = draft_side(snapshot)
            draft_time = draft_time or timezone.now()
            new_label, new_date = _("Current draft"), _date(draft_time)
            outline_by = Attribution(_("MPF Portal"), _iso(draft_time))
        else:
            snapshot = []
            old_edition, new_edition = redline_sides(edition, other_edition)
            new_side = edition_side(new_edition)
            new_label, new_date = new_edition.name, _date(new_edition.date)
            outline_by = Attribution(_person(new_edition.created_by), _iso(new_edition.created_at))
        old_side = edition_side(old_edition)
        plans = plan_sections(old_side, new_side)
        versions = _Versions({entry.section_id for entry in [*old_side, *new_side]}, language)
        paragraphs, comments = [], []
        by_section = _open_comments(plans, versions)
        counts = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
        for plan in plans:
            section_paragraphs = _section_paragraphs(plan, versions, outline_by)
            shown = plan.new or plan.old
            _anchor_comments(section_paragraphs, by_section.pop(shown.section_id, []), comments)
            counts[_state(plan, section_paragraphs)] += 1
            paragraphs.extend(section_paragraphs)
        facts = _project_facts(concept)
        label = _("Changes from “%(old)s” to “%(new)s”") % {"old": old_edition.name, "new": new_label}
        document = TrackedDocument(
            kind=RenderJob.Kind.TRACKED_DOCX,
            language=language,
            concept_title=concept.title,
            project_title=facts["project_title"],
            author=facts["author"],
            label=label,
            old_label=f"{old_edition.name} ({_date(old_edition.date)})",
            new_label=f"{new_label} ({new_date})",
            date_text=new_date,
            funding=facts["funding"],
            statement=facts["statement"],
            paragraphs=paragraphs,
            comments=comments,
            marks=docx_marks.export_properties(
                kind=RenderJob.Kind.TRACKED_DOCX,
                concept_id=concept.pk,
                base=docx_marks.state_key(new_edition.pk if new_edition else None),
                compared_with=docx_marks.state_key(old_edition.pk),
            ),
            filename_stem=_stem(concept.title, old_edition.name, _("to"), new_label, _("tracked changes")),
            counts=counts,
            draft=against_draft,
            draft_versions=snapshot,
        )
    document.content_hash = tracked_content_hash(document)
    return document


def _state(plan: _SectionPlan, paragraphs: list[Paragraph]) -> str:
    if plan.old is None:
        return "added"
    if plan.new is None:
        return "removed"
    changed = any(p.mark or p.old_style or any(s.change for s in p.segments) for p in paragraphs)
    return "changed" if changed else "unchanged"


def tracked_content_hash(document: TrackedDocument) -> str:
    """Of everything the file shows: its text, revisions, authors, dates, comments, marks and options."""
    content = asdict(document)
    content.pop("content_hash")
    content["options"] = render_options(document.kind, language=document.language)
    encoded = json.dumps(content, sort_keys=True, default=sorted, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


# --- Writing the file ------------------------------------------------------------------------------


class _Ids:
    """Revision ids: after the comments' (0 … n-1), so that no two annotations of the file share one."""

    def __init__(self, first: int):
        self.counter = itertools.count(first)

    def take(self) -> str:
        return str(next(self.counter))


def _sub(parent, name: str, **attributes):
    element = parent.makeelement(w(name), {w(key): xml_text(value) for key, value in attributes.items()})
    parent.append(element)
    return element


def _revision(parent, name: str, by: Attribution, ids: _Ids):
    return _sub(parent, name, id=ids.take(), author=by.author, date=by.date)


def _run_properties(run, formats: frozenset) -> None:
    if not formats:
        return
    properties = _sub(run, "rPr")
    if "code" in formats:
        _sub(properties, "rFonts", ascii="Courier New", hAnsi="Courier New", cs="Courier New")
    if "bold" in formats:
        _sub(properties, "b")
    if "italic" in formats:
        _sub(properties, "i")
    if "strike" in formats:
        _sub(properties, "strike")
    if "link" in formats:
        _sub(properties, "color", val="123B6D")
        _sub(properties, "u", val="single")


def _run(parent, text: str, formats: frozenset, deleted: bool) -> None:
    run = _sub(parent, "r")
    _run_properties(run, formats)
    for piece in re.split(f"([\t{LINE_BREAK}])", text):
        if piece == "\t":
            _sub(run, "tab")
        elif piece == LINE_BREAK:
            _sub(run, "br")
        elif piece:
            element = _sub(run, "delText" if deleted else "t")
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            element.text = xml_text(piece)


def _paragraph_properties(p, paragraph: Paragraph, styles: dict, ids: _Ids) -> None:
    properties = _sub(p, "pPr")
    if paragraph.style:
        _sub(properties, "pStyle", val=styles[paragraph.style])
    if paragraph.page_break:
        _sub(properties, "pageBreakBefore")
    if paragraph.mark:
        _revision(_sub(properties, "rPr"), paragraph.mark, paragraph.mark_by, ids)
    if paragraph.old_style is not None:
        change = _revision(properties, "pPrChange", paragraph.segments[0].by or _first_author(paragraph), ids)
        before = _sub(change, "pPr")
        if paragraph.old_style:
            _sub(before, "pStyle", val=styles[paragraph.old_style])


def _first_author(paragraph: Paragraph) -> Attribution:
    found = next((segment.by for segment in paragraph.segments if segment.by), None)
    return found or Attribution(_("MPF Portal"), _iso(timezone.now().date()))


def _write_paragraph(body_end, paragraph: Paragraph, styles: dict, ids: _Ids, bookmarks) -> None:
    p = body_end.makeelement(w("p"), {})
    body_end.addprevious(p)
    _paragraph_properties(p, paragraph, styles, ids)
    starts: dict[int, list[Anchor]] = {}
    ends: dict[int, list[Anchor]] = {}
    for anchor in paragraph.anchors:
        starts.setdefault(anchor.start, []).append(anchor)
        ends.setdefault(anchor.end, []).append(anchor)
    cuts = sorted({*starts, *ends})
    offset = 0

    def anchors_at(position: int, opening: bool) -> None:
        for anchor in (starts if opening else ends).pop(position, []):
            for number in range(anchor.comment, anchor.comment + anchor.count):
                if opening:
                    _sub(p, "commentRangeStart", id=str(number))
                else:
                    _sub(p, "commentRangeEnd", id=str(number))
                    _sub(_sub(p, "r"), "commentReference", id=str(number))

    for segment in paragraph.segments:
        end = offset + len(segment.text)
        pieces = [offset, *(cut for cut in cuts if offset < cut < end), end]
        for start, stop in itertools.pairwise(pieces):
            anchors_at(start, opening=False)
            anchors_at(start, opening=True)
            parent = _revision(p, segment.change, segment.by, ids) if segment.change else p
            _run(parent, segment.text[start - offset : stop - offset], segment.formats, segment.change == DEL)
        offset = end
    anchors_at(offset, opening=False)
    anchors_at(offset, opening=True)
    for position in sorted({*starts, *ends}):  # anchors beyond the text (cannot happen): closed at the end
        anchors_at(position, opening=True)
        anchors_at(position, opening=False)
    if paragraph.bookmark:
        docx_marks.bookmark_paragraph(p, paragraph.bookmark, bookmarks)


def _para_id(index: int) -> str:
    return f"{0x10000000 + index:08X}"  # w14:paraId: below 0x80000000, unique in the file


def _comments_parts(comments: list[WordComment]) -> tuple[bytes, bytes]:
    from lxml import etree

    root = etree.Element(w("comments"), nsmap={"w": _W, "w14": _W14})
    extended = etree.Element(f"{{{_W15}}}commentsEx", nsmap={"w15": _W15, "mc": _MC})
    extended.set(f"{{{_MC}}}Ignorable", "w15")
    for index, comment in enumerate(comments):
        attributes = {"id": str(index), "author": comment.author, "date": comment.date, "initials": comment.initials}
        element = _sub(root, "comment", **attributes)
        for number, text in enumerate(comment.paragraphs):
            p = _sub(element, "p")
            if number == len(comment.paragraphs) - 1:
                p.set(f"{{{_W14}}}paraId", _para_id(index))
                p.set(f"{{{_W14}}}textId", "77777777")
            if number == 0:
                _sub(_sub(p, "r"), "annotationRef")
            _run(p, text, frozenset(), deleted=False)
        entry = etree.SubElement(extended, f"{{{_W15}}}commentEx")
        entry.set(f"{{{_W15}}}paraId", _para_id(index))
        if comment.parent is not None:
            entry.set(f"{{{_W15}}}paraIdParent", _para_id(comment.parent))
        entry.set(f"{{{_W15}}}done", "0")
    declaration = {"xml_declaration": True, "encoding": "UTF-8", "standalone": True}
    return etree.tostring(root, **declaration), etree.tostring(extended, **declaration)


def _add_comments(word, comments: list[WordComment]) -> None:
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    comments_xml, extended_xml = _comments_parts(comments)
    package = word.part.package
    word.part.relate_to(Part(PackURI("/word/comments.xml"), COMMENTS_TYPE, comments_xml, package), COMMENTS_REL)
    word.part.relate_to(
        Part(PackURI("/word/commentsExtended.xml"), COMMENTS_EXTENDED_TYPE, extended_xml, package),
        COMMENTS_EXTENDED_REL,
    )


def _cover(word, document: TrackedDocument) -> None:
    from docx.enum.text import WD_BREAK

    word.add_paragraph(xml_text(document.project_title), style="Subtitle")
    word.add_paragraph(xml_text(document.concept_title), style="Title")
    word.add_paragraph().add_run(xml_text(document.label)).bold = True
    word.add_paragraph(xml_text(_("Older text: %(label)s") % {"label": document.old_label}))
    word.add_paragraph(xml_text(_("Newer text: %(label)s") % {"label": document.new_label}))
    counts = document.counts
    word.add_paragraph(
        _("Sections: %(changed)s changed, %(added)s added, %(removed)s removed, %(unchanged)s unchanged.") % counts
    )
    word.add_paragraph(
        _(
            "Every difference is a tracked change, with the author and date of the version that made it, and the "
            "open comments are Word comments. In Word: Review → Accept All gives the newer text, Reject All the "
            "older one."
        )
    )
    if document.draft:
        word.add_paragraph(_("The current draft is a working text. Not for circulation."))
    if document.statement:
        word.add_paragraph(xml_text(document.statement))
    word.add_paragraph().add_run(document.funding).bold = True
    word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def render_tracked_docx(document: TrackedDocument) -> bytes:
    """The .docx of a TrackedDocument. No database access."""
    import docx
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
        properties.title = xml_text(document.title)
        properties.author = xml_text(document.author)
        properties.subject = xml_text(document.project_title)
        properties.language = document.language
        properties.comments = ""
        section.header.paragraphs[0].text = xml_text(document.concept_title)
        section.footer.paragraphs[0].text = xml_text(document.label)
        _cover(word, document)
        styles = {name: word.styles[name].style_id for name in _style_names(document.paragraphs)}
        body_end = word.element.body.find(w("sectPr"))
        ids, bookmarks = _Ids(len(document.comments)), docx_marks.BookmarkIds()
        for paragraph in document.paragraphs:
            _write_paragraph(body_end, paragraph, styles, ids, bookmarks)
        if document.comments:
            _add_comments(word, document.comments)
        docx_marks.mark_package(word, document.marks)
        output = io.BytesIO()
        word.save(output)
        return output.getvalue()


def _style_names(paragraphs: list[Paragraph]) -> set[str]:
    names = set()
    for paragraph in paragraphs:
        names.update(name for name in (paragraph.style, paragraph.old_style) if name)
    return names
