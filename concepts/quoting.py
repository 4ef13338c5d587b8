"""Finding a quoted passage in a section's Markdown source.

A reader quotes what they see: selecting text in the page copies the rendered words, without
the Markdown around them (`**`, `_`, link targets, list markers). A suggestion must name the
exact stretch of the source it rewrites, so the passage is looked up as it was seen: the same
words in the same order, with any markup between and inside them.
"""

import re

# Markdown that the page does not show: emphasis and code markers, escapes, a link's brackets
# and its target.
_MARKUP = r"(?:[*_~`\\\[]|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|\])*"
# Between two words: the markup around a break, and what starts a list item or a quote.
_GAP = _MARKUP + r"\s+(?:(?:[-*+]|\d{1,9}[.)]|>)\s+)?" + _MARKUP
_MARKERS = "*_~`"
MAX_QUOTE_WORDS = 400


class AmbiguousQuote(ValueError):
    """The passage is in the text more than once: which one is meant cannot be told."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


def passage_spans(source: str, quote: str) -> list[tuple[int, int]]:
    """Every place where `quote` is in `source`, in reading order: as typed if it is there at all;
    otherwise as the page shows it (see `find_passage`)."""
    if not quote.strip():
        return []
    if quote in source:
        spans, start = [], source.find(quote)
        while start >= 0:
            spans.append((start, start + len(quote)))
            start = source.find(quote, start + len(quote))
        return spans
    words = quote.split()
    if len(words) > MAX_QUOTE_WORDS:
        return []
    pattern = _GAP.join(_MARKUP.join(re.escape(char) for char in word) for word in words)
    spans = []
    for match in re.finditer(pattern, source):
        start, end = match.span()
        while start > 0 and source[start - 1] in _MARKERS + "[":
            start -= 1
        while end < len(source) and source[end] in _MARKERS:
            end += 1
        spans.append((start, end))
    return spans


def find_passage(source: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` is in `source`: (start, end), or None when it is not there.

    Raises AmbiguousQuote when it is there more than once.

    As typed first; otherwise as the page shows it. A passage found through markup takes in the
    emphasis markers and link brackets right at its ends (`**` around a bold phrase quoted whole,
    `[` before a link's text).
    """
    spans = passage_spans(source, quote)
    if len(spans) > 1:
        raise AmbiguousQuote(len(spans))
    return spans[0] if spans else None


def is_whole(passage: str) -> bool:
    """Whether rewriting `passage` leaves the text around it well formed: no emphasis marker,
    code marker or link bracket in it without its pair (it neither starts nor ends inside a bold
    phrase or a link)."""
    if any(len(re.findall(re.escape(marker) + "+", passage)) % 2 for marker in _MARKERS):
        return False
    return passage.count("[") == passage.count("]")
