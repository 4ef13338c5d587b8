"""Comments that keep their place as a section's text changes.

A comment quotes a passage of the version it was made on. When a new version of the section is
written, each open comment's passage is looked for again in the new text, starting from where it
was in the version before (a chain, one version to the next):

1. By the word diff between the two versions (``textdiff.matching_blocks``): a passage that lies
   wholly in text both versions share is where the diff puts it. Only this step can say
   "unchanged", and it never guesses: the diff matched those very characters.
2. Exactly elsewhere: the same words in text the new version added (a sentence or paragraph
   moved). Occurrences that were already in the old text are other passages and are skipped;
   of the rest, the one nearest the place the diff maps the passage to wins.
3. Fuzzily in place: the stretch the diff maps the passage to, if its words are still mostly the
   passage's (a rewording; rapidfuzz Indel similarity on words).
4. Fuzzily elsewhere in added text (moved and reworded; rapidfuzz partial alignment).
5. By its surrounding words: the words just before and after it, still side by side with a
   reworded passage between them.
Otherwise it is removed.

The label is measured against the passage as the comment quoted it: "text changed" when the words
differ (with the word diff), "moved" when it was found elsewhere at some version since, and
"unchanged" otherwise. ``python -m bench.anchoring`` measures all this on a generated corpus.

Why in the save transaction and not in a Celery task: a page must never show a label worked out
for another text. Written with the version, the label and the version are one fact; the cost is
one token diff per save plus a few string searches per open comment (the bench reports it).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import OuterRef, Subquery
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from .models import Comment, CommentAnchor, SectionVersion
from .quoting import find_passages
from .textdiff import Op, diff_words, matching_blocks, tokenize

Status = CommentAnchor.Status

CONTEXT_WORDS = 6  # words kept on each side of a passage, to find it by its surroundings
# Word similarity (0-1) a stretch needs to be taken for the passage reworded.
IN_PLACE_SIMILARITY = 0.5  # where the diff maps it
BETWEEN_CONTEXT_SIMILARITY = 0.34  # between its old neighbours: they vouch for the place already
ELSEWHERE_SCORE = 85  # rapidfuzz partial-ratio (0-100) for a reworded passage that also moved


@dataclass(frozen=True)
class Place:
    """Where a passage is in one text. `start` None: not there any more."""

    start: int | None
    end: int | None
    prefix: str = ""
    suffix: str = ""
    moved: bool = False


@dataclass(frozen=True)
class Anchor:
    """What the page shows beside a version: the comment's passage there, and how it fared."""

    status: str  # a CommentAnchor.Status value
    start: int | None  # character offsets in the version's Markdown text; None when removed
    end: int | None
    text: str  # the passage as it reads in this version ("" when removed)
    diff: list[Op] = field(default_factory=list)  # the quoted passage → `text`, when the text changed

    def get_status_display(self) -> str:
        return Status(self.status).label

    @property
    def label(self) -> str:
        """What the margin says about the passage: nothing while it is unchanged, else what became of it."""
        return "" if self.status == Status.UNCHANGED else str(Status(self.status).label)


def _context(body: str, start: int, end: int) -> tuple[str, str]:
    """Up to CONTEXT_WORDS words before `start` and after `end`, with the spaces touching the passage."""
    before = body[:start].split(" ")
    after = body[end:].split(" ")
    prefix = " ".join(before[-CONTEXT_WORDS - 1 :]) if start else ""
    suffix = " ".join(after[: CONTEXT_WORDS + 1]) if end < len(body) else ""
    return prefix[-400:], suffix[:400]


def place_of(body: str, start: int, end: int, *, moved: bool = False) -> Place:
    prefix, suffix = _context(body, start, end)
    return Place(start, end, prefix, suffix, moved)


def initial_place(body: str, quote: str, *, occurrence: int | None = None, offset: int | None = None) -> Place | None:
    """Where a comment's quote is in the version it was made on.

    The reviewer's selection names which occurrence they meant: its character `offset` in the
    Markdown text (the nearest occurrence wins) or its `occurrence` number (0 for the first).
    Without either (comments made before this was recorded), the first occurrence.
    """
    spans = find_passages(body, quote)
    if not spans:
        return None
    if offset is not None:
        start, end = min(spans, key=lambda span: abs(span[0] - offset))
    elif occurrence is not None and 0 <= occurrence < len(spans):
        start, end = spans[occurrence]
    else:
        start, end = spans[0]
    return place_of(body, start, end)


def _words(text: str) -> list[str]:
    return [token.lower() for token in tokenize(text) if token.strip()]


def similarity(a: str, b: str) -> float:
    """How much of two passages' words (and punctuation) are the same, in order: 0 to 1."""
    return Indel.normalized_similarity(_words(a), _words(b))


class Relocation:
    """The passages of one old text found again in a new one; the diff is made once for all."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    @cached_property
    def blocks(self) -> list[tuple[int, int, int]]:
        """Character runs (old start, new start, length) that the word diff keeps."""
        a, b = tokenize(self.old), tokenize(self.new)
        a_at, b_at = _starts(a), _starts(b)
        return [(a_at[i], b_at[j], a_at[i + n] - a_at[i]) for i, j, n in matching_blocks(a, b) if n]

    @cached_property
    def _old_starts(self) -> list[int]:
        return [block[0] for block in self.blocks]

    @cached_property
    def _new_kept(self) -> list[tuple[int, int]]:
        return sorted((new, new + n) for _old, new, n in self.blocks)

    def _block_before(self, position: int) -> int:
        """Index of the last block starting at or before `position` in the old text (-1: none)."""
        return bisect.bisect_right(self._old_starts, position) - 1

    def map_start(self, position: int) -> int:
        index = self._block_before(position)
        if index < 0:
            return 0
        old, new, n = self.blocks[index]
        return new + min(position - old, n)

    def map_end(self, position: int) -> int:
        index = self._block_before(position)
        if index >= 0:
            old, new, n = self.blocks[index]
            if position <= old + n:
                return new + position - old
        following = index + 1
        return self.blocks[following][1] if following < len(self.blocks) else len(self.new)

    def kept_whole(self, start: int, end: int) -> int | None:
        """The new start of old text [start, end) if the diff kept it as it was, else None."""
        index = self._block_before(start)
        if index < 0:
            return None
        old, new, n = self.blocks[index]
        return new + start - old if end <= old + n else None

    def added_share(self, start: int, end: int) -> float:
        """How much of new text [start, end) the new version added (was not kept from the old)."""
        if end <= start:
            return 0.0
        kept = sum(max(0, min(end, b) - max(start, a)) for a, b in self._new_kept)
        return 1 - kept / (end - start)

    def locate(self, place: Place, passage: str) -> Place:
        """`place` (of `passage` in the old text) in the new text."""
        if place.start is None:
            return place
        kept = self.kept_whole(place.start, place.end)
        anchored = self._anchored_sides(place.start, place.end) if kept is not None else 2
        if anchored < 2:
            # The same words stand elsewhere in the old text too, and the diff kept them without
            # the text that tells the copies apart on both sides: it may have matched this passage
            # to its twin while this one was moved or deleted. A copy in added text is taken first;
            # else the kept copy, held to be there only when one side vouches for it, and never
            # called unchanged.
            found = self._exact_elsewhere(place, passage, kept) or self._fuzzy_elsewhere(place, passage, kept)
            if found is None and anchored:
                found = self._placed(kept, kept + place.end - place.start, True)
            return found or Place(None, None, place.prefix, place.suffix, place.moved)
        if kept is not None:
            found = self._placed(kept, kept + place.end - place.start, place.moved)
            # The diff may keep the passage and move what was around it instead: new words on
            # both sides mean it now stands somewhere else.
            if _near_words(found.prefix, -1) != _near_words(place.prefix, -1) and _near_words(
                found.suffix, 1
            ) != _near_words(place.suffix, 1):
                found = Place(found.start, found.end, found.prefix, found.suffix, True)
            return found
        expected = self.map_start(place.start)
        for finder in (self._exact_elsewhere, self._fuzzy_in_place, self._fuzzy_elsewhere, self._between_context):
            found = finder(place, passage, expected)
            if found is not None:
                return found
        return Place(None, None, place.prefix, place.suffix, place.moved)

    def _anchored_sides(self, start: int, end: int) -> int:
        """On how many sides (0-2) the diff kept [start, end) together with the text that tells it
        from its twins, in the old text and in the new one (2 when the passage occurs once in each)."""
        old, new, n = self.blocks[self._block_before(start)]
        sides = 2
        for text, at, block in ((self.old, start, old), (self.new, new + start - old, new)):
            reach = _twin_reach(text, at, at + end - start)
            if reach is not None:
                sides = min(sides, (block <= reach[0]) + (block + n >= reach[1]))
        return sides

    def _other_old_text(self, start: int, end: int, place: Place) -> bool:
        """Whether new text [start, end) is wholly text the old version had elsewhere than the passage."""
        if self.added_share(start, end) > 0:
            return False
        for old, new, n in self.blocks:
            low, high = max(start, new), min(end, new + n)
            if low < high and old + low - new < place.end and old + high - new > place.start:
                return False
        return True

    def _placed(self, start: int, end: int, moved: bool) -> Place:
        return place_of(self.new, start, end, moved=moved)

    def _exact_elsewhere(self, place: Place, passage: str, expected: int) -> Place | None:
        spans = [span for span in _occurrences(self.new, passage) if self.added_share(*span) > 0]
        if not spans:
            return None
        start, end = min(spans, key=lambda span: abs(span[0] - expected))
        # Not kept by the diff where it was: it may be this passage moved, or a twin of it; either
        # way "unchanged" would claim more than is known.
        return self._placed(start, end, True)

    def _fuzzy_in_place(self, place: Place, passage: str, expected: int) -> Place | None:
        start, end = expected, self.map_end(place.end)
        start, end = _trim(self.new, start, end)
        if end <= start or end - start > 3 * len(passage) + 80:
            return None
        start, end = _with_edge_marks(self.new, *_one_part(self.new, start, end, passage), passage)
        if similarity(passage, self.new[start:end]) < IN_PLACE_SIMILARITY:
            return None
        return self._placed(start, end, place.moved)

    def _fuzzy_elsewhere(self, place: Place, passage: str, expected: int) -> Place | None:
        if len(passage) < 12:
            return None  # a few letters match too much of any text
        found = fuzz.partial_ratio_alignment(passage, self.new, score_cutoff=ELSEWHERE_SCORE)
        if found is None:
            return None
        start, end = _snap(self.new, found.dest_start, found.dest_end)
        if self.added_share(start, end) < 0.5 or similarity(passage, self.new[start:end]) < IN_PLACE_SIMILARITY:
            return None
        return self._placed(start, end, True)

    def _between_context(self, place: Place, passage: str, expected: int) -> Place | None:
        prefix, suffix = place.prefix.strip(), place.suffix.strip()
        if not prefix and not suffix:
            return None
        ends = [end for _s, end in _occurrences(self.new, prefix)] if prefix else [0]
        starts = [start for start, _e in _occurrences(self.new, suffix)] if suffix else [len(self.new)]
        limit = 3 * len(passage) + 80
        pairs = [(a, b) for a in ends for b in starts if a <= b <= a + limit]
        if not pairs:
            return None
        start, end = min(pairs, key=lambda pair: abs(pair[0] - expected))
        start, end = _trim(self.new, start, end)
        if self._other_old_text(start, end, place):
            return None  # the same surroundings around a copy that was there before: a twin
        if end > start:
            start, end = _with_edge_marks(self.new, *_one_part(self.new, start, end, passage), passage)
        if end <= start or similarity(passage, self.new[start:end]) < BETWEEN_CONTEXT_SIMILARITY:
            return None
        return self._placed(start, end, place.moved)


def _twin_reach(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the text around [start, end) first differs from the text around every other occurrence
    of the same words (None: it occurs once): the first character before and after that tells it apart."""
    passage = text[start:end]
    twins = [other for other, _e in _occurrences(text, passage) if other != start]
    if not twins:
        return None
    left = max(_common(text, start - 1, other - 1, -1) for other in twins)
    right = max(_common(text, end, other + len(passage), 1) for other in twins)
    return start - left - 1, end + right + 1


def _common(text: str, a: int, b: int, step: int, limit: int = 2000) -> int:
    """How many characters agree reading from a and from b in direction `step`."""
    count = 0
    while count < limit and 0 <= a < len(text) and 0 <= b < len(text) and text[a] == text[b]:
        a, b, count = a + step, b + step, count + 1
    return count


def _near_words(context: str, side: int) -> list[str]:
    """The three words of a context nearest the passage (side -1: before it, 1: after it)."""
    words = _words(context)
    return words[-3:] if side < 0 else words[:3]


def _starts(tokens: list[str]) -> list[int]:
    starts, at = [], 0
    for token in tokens:
        starts.append(at)
        at += len(token)
    starts.append(at)
    return starts


def _occurrences(text: str, passage: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(passage) if passage else -1
    while start >= 0:
        spans.append((start, start + len(passage)))
        start = text.find(passage, start + 1)
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _one_part(text: str, start: int, end: int, passage: str) -> tuple[int, int]:
    """Of [start, end), the paragraph, line or sentence most like `passage`, when the passage itself
    stands within one: the diff may map a passage's first word onto the same word in text inserted
    before it ("… by the drafter.\n\nthe demographic situation")."""
    for separator in ("\n\n", "\n", ". "):
        chunk = text[start:end]
        if separator in passage or separator not in chunk:
            continue
        keep = 1 if separator == ". " else 0  # a sentence keeps its full stop
        parts, at = [], start
        for piece in chunk.split(separator):
            parts.append(_trim(text, at, min(at + len(piece) + keep, end)))
            at += len(piece) + len(separator)
        start, end = max(parts, key=lambda part: similarity(passage, text[part[0] : part[1]]))
    return start, end


def _with_edge_marks(text: str, start: int, end: int, passage: str) -> tuple[int, int]:
    """Widened by the punctuation the passage starts or ends with, where it stands just outside: the
    diff may pair a full stop with another one and leave the passage's own out."""
    if passage and not passage[-1].isalnum() and end < len(text) and text[end] == passage[-1] != text[end - 1]:
        end += 1
    if passage and not passage[0].isalnum() and start > 0 and text[start - 1] == passage[0] != text[start]:
        start -= 1
    return start, end


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widened to whole words: an alignment may start or end inside one."""
    while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return _trim(text, start, end)


def status_of(place: Place, text: str, original: str) -> str:
    if place.start is None:
        return Status.REMOVED
    if text != original:
        return Status.CHANGED
    return Status.MOVED if place.moved else Status.UNCHANGED


# --------------------------------------------------------------------------------------------
# Stored anchors: written by the services (in their transaction), read by the pages
# --------------------------------------------------------------------------------------------


def _row(comment: Comment, version: SectionVersion, place: Place, original: str) -> CommentAnchor:
    text = version.body[place.start : place.end] if place.start is not None else ""
    return CommentAnchor(comment=comment, version=version, status=status_of(place, text, original),
                         start=place.start, end=place.end, text=text, prefix=place.prefix, suffix=place.suffix,
                         moved=place.moved)  # fmt: skip


def _place(row: CommentAnchor) -> Place:
    return Place(row.start, row.end, row.prefix, row.suffix, row.moved)


def anchor_comment(*, comment: Comment, occurrence: int | None = None, offset: int | None = None) -> None:
    """Records where a new comment's quote is in its version, then follows it to the newest version
    in that language (a comment may be made on a version that is no longer the newest)."""
    if not comment.quote.strip() or comment.parent_id is not None:
        return
    version = comment.version
    place = initial_place(version.body, comment.quote, occurrence=occurrence, offset=offset)
    if place is None:
        return
    origin = _row(comment, version, place, "")
    origin.status = Status.UNCHANGED
    rows = [origin]
    later = SectionVersion.objects.filter(section_id=version.section_id, language=version.language,
                                          number__gt=version.number).order_by("number")  # fmt: skip
    previous, row = version, origin
    for newer in later:
        place = Relocation(previous.body, newer.body).locate(_place(row), row.text)
        row = _row(comment, newer, place, origin.text)
        rows.append(row)
        previous = newer
    CommentAnchor.objects.bulk_create(rows)


def anchors_follow(*, version: SectionVersion, previous: SectionVersion | None) -> int:
    """Writes the places, in the new `version`, of the open comments' passages, found again from
    where they were in `previous` (the version before it, or the one a restore brought back).
    Returns how many. Call in the transaction that writes `version`."""
    if previous is None:
        return 0
    rows = list(_open_rows(previous, version))
    if not rows:
        return 0
    relocation = Relocation(previous.body, version.body)
    new_rows = []
    for row in rows:
        place = relocation.locate(_place(row), row.text)
        new_rows.append(_row(row.comment, version, place, row.original))
    CommentAnchor.objects.bulk_create(new_rows, ignore_conflicts=True)
    return len(new_rows)


def _open_rows(previous: SectionVersion, version: SectionVersion) -> Iterable[CommentAnchor]:
    return (
        CommentAnchor.objects.filter(version=previous, comment__disposition=Comment.Disposition.OPEN,
                                     comment__version__language=version.language)
        .exclude(comment__anchors__version=version)
        .annotate(original=_original_text())
        .select_related("comment")
        .only("comment__id", "start", "end", "text", "prefix", "suffix", "moved", "status")
    )  # fmt: skip


def _original_text():
    return Subquery(
        CommentAnchor.objects.filter(comment=OuterRef("comment"), version=OuterRef("comment__version")).values("text")[
            :1
        ]
    )


def anchors_catch_up(*, comment: Comment) -> None:
    """Follows a comment that was closed and opened again from its last place to the newest version."""
    last = comment.anchors.annotate(original=_original_text()).select_related("version").order_by(
        "-version__number").first()  # fmt: skip
    if last is None:
        return
    previous, row = last.version, last
    later = SectionVersion.objects.filter(section_id=previous.section_id, language=previous.language,
                                          number__gt=previous.number).order_by("number")  # fmt: skip
    rows = []
    for newer in later:
        place = Relocation(previous.body, newer.body).locate(_place(row), row.text)
        new_row = _row(comment, newer, place, last.original)
        rows.append(new_row)
        previous, row = newer, new_row
    CommentAnchor.objects.bulk_create(rows, ignore_conflicts=True)


def anchors_for(version: SectionVersion) -> dict[int, Anchor]:
    """The places of the comments' passages in `version`: {comment id: Anchor}.

    Every comment with a quote that was open when `version` was written (or made on it) has one;
    a comment made on a later version, or closed before, has none here.
    """
    rows = CommentAnchor.objects.filter(version=version).annotate(original=_original_text())
    return {row.comment_id: to_anchor(row) for row in rows}


def to_anchor(row: CommentAnchor) -> Anchor:
    diff = diff_words(row.original or "", row.text) if row.status == Status.CHANGED else []
    return Anchor(status=row.status, start=row.start, end=row.end, text=row.text, diff=diff)


def latest_anchors(comment_ids: Iterable[int]) -> dict[int, CommentAnchor]:
    """Each comment's place in the newest version it was followed to (with `version` loaded). One query."""
    newest = CommentAnchor.objects.filter(comment=OuterRef("comment")).order_by("-version__number").values("pk")[:1]
    rows = (
        CommentAnchor.objects.filter(comment_id__in=list(comment_ids), pk=Subquery(newest))
        .annotate(original=_original_text())
        .select_related("version")
        .defer("version__body")
    )
    return {row.comment_id: row for row in rows}
