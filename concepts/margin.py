"""Which comments stand in the margin beside the passage they quote, and which in the general list.

A comment goes to the margin when its quoted passage can be found in the version being read; the
page then marks that passage in the text and numbers it (static/js/concept-margin.js finds it in
the rendered text). Comments without a quote, and those whose passage is no longer there, stay in
the general list below the text.

Where comments keep their passage across versions (`anchors`: {comment id: anchor}, from
concepts.anchoring), the anchor decides: a removed passage sends the comment to the list, and the
anchor's start picks which occurrence of the words is meant. Without anchors, the first occurrence.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from .comparison import announced
from .models import Comment, SectionVersion
from .quoting import find_passages
from .textdiff import inline_html

REMOVED = "removed"


@dataclass(frozen=True)
class MarginNote:
    comment: Comment
    number: int  # the passage's number in the text and on its card, in reading order
    occurrence: int  # which place the page shows the quoted words (1 = the first)
    start: int  # where the passage starts in the version's Markdown text
    passage: str  # the words to mark in the text: the quote, or what its passage became (anchor's text)
    anchor: Any = None  # the comment's anchor in this version, when comments keep their place

    @property
    def label(self) -> str:
        """What happened to the passage since the comment was made ("Text changed"), or nothing."""
        if self.anchor is None:
            return ""
        return str(getattr(self.anchor, "label", "") or "")

    @property
    def diff_html(self) -> SafeString | str:
        """The quoted words changed into the passage's words now, marked as the comparisons mark
        changes; "" unless the passage's text changed. A passage is short: nothing is folded."""
        ops = getattr(self.anchor, "diff", None)
        if not ops:
            return ""
        return announced(inline_html(ops, context=10_000))


def margin_notes(
    *, version: SectionVersion, comments: Iterable[Comment], anchors: Mapping[int, Any] | None = None
) -> tuple[list[MarginNote], list[Comment]]:
    """(notes for the margin in reading order, comments for the general list in their order)."""
    anchors = anchors or {}
    placed, general = [], []
    for comment in comments:
        anchor = anchors.get(comment.pk)
        passage = (getattr(anchor, "text", "") or comment.quote) if comment.quote.strip() else ""
        spans = find_passages(version.body, passage) if passage else []
        if not spans or getattr(anchor, "status", None) == REMOVED:
            general.append(comment)
            continue
        occurrence = _occurrence(spans, getattr(anchor, "start", None))
        placed.append((spans[occurrence - 1][0], comment, occurrence, anchor, passage))
    placed.sort(key=lambda item: (item[0], item[1].created_at, item[1].pk))
    notes = [
        MarginNote(comment=comment, number=number, occurrence=occurrence, start=start, passage=passage, anchor=anchor)
        for number, (start, comment, occurrence, anchor, passage) in enumerate(placed, start=1)
    ]
    return notes, general


def _occurrence(spans: list[tuple[int, int]], start: int | None) -> int:
    """The occurrence (1-based) nearest to `start`; the first one when there is no position."""
    if start is None:
        return 1
    nearest = min(range(len(spans)), key=lambda index: abs(spans[index][0] - start))
    return nearest + 1
