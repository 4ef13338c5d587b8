"""Word-level comparison of two versions of a text (a concept section's Markdown body).

Pure functions on strings; no models, no templates, no settings needed.

How a diff is made
------------------
1. ``tokenize`` splits a text into words (letters and digits with their combining marks, inner
   apostrophes and number separators: "don't", "1,500.75"), runs of spaces/tabs, single line
   breaks (so paragraphs stay visible and aligned) and single punctuation/symbol characters.
   ``"".join(tokenize(t)) == t`` always.
2. ``_opcodes`` aligns the two token lists with an exact (minimal, LCS) diff. Each distinct token
   is mapped to one character and the two resulting strings go to the C++ diff-match-patch
   (``fast_diff_match_patch``, Myers' O(ND) algorithm): ~20-40 ms for two 200 KB texts 5% apart.
   Myers slows down when the texts are very different (O(ND): ~7 s for two unrelated 200 KB
   texts), so it gets a time limit; when it runs out diff-match-patch gives up on what is left
   and reports it as deleted + inserted. Such a give-up is always detected and redone, never
   shown: a minimal diff never has a deleted run next to an inserted run that share a token, so
   every such pair is re-aligned exactly with rapidfuzz's bit-parallel LCS (Indel), or, for very
   large regions, its linear-memory Levenshtein (Hirschberg). The result is therefore never
   "everything replaced" unless the texts really have nothing in common, and it is computed in
   bounded time: ~0.5 s for two unrelated 200 KB texts, ~3 s for adversarial 200 KB inputs such
   as random characters (rapidfuzz is O(N*M/64)). Which regions fall to rapidfuzz depends on
   timing, so two runs may pick different but equally minimal alignments.
3. The alignment is cleaned up for reading: a pure insertion/deletion that could equally sit a
   few tokens earlier or later is moved to word boundaries ("The <ins>national </ins>migration",
   whole paragraphs as "<ins>New paragraph.\\n\\n</ins>"); small islands of unchanged text between
   two edits (a single space, a comma, or one common word between multi-word edits) are folded
   into one replacement; equalities that contain a line break are never folded, so paragraphs
   stay aligned.

Rendering helpers return escaped HTML (``SafeString``). They keep line breaks as "\\n" characters:
show them in an element styled ``white-space: pre-wrap``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import NamedTuple

import fast_diff_match_patch
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from rapidfuzz.distance import Indel, Levenshtein

EQUAL = "equal"
INSERT = "insert"
DELETE = "delete"

__all__ = [
    "DELETE",
    "EQUAL",
    "INSERT",
    "DiffStats",
    "Op",
    "SideBySideRow",
    "diff_stats",
    "diff_words",
    "inline_html",
    "matching_blocks",
    "side_by_side",
    "tokenize",
]

# CPU seconds given to diff-match-patch's Myers diff before the rest is handed to rapidfuzz.
# Texts 5% apart finish far below this (200 KB: ~0.03 s); very different texts would need seconds.
MYERS_TIME_LIMIT = 0.1
# Above this many cells (len_a * len_b) a re-aligned region uses linear-memory Levenshtein
# instead of the bit-matrix LCS (2**24 cells = 2 MB of bits).
_LCS_MATRIX_LIMIT = 1 << 24
# How far (in tokens) an insertion/deletion may be slid to find a better boundary.
_MAX_SLIDE = 64


@dataclass(frozen=True, slots=True)
class Op:
    """One run of the diff: ``kind`` is "equal", "insert" or "delete"; ``text`` is never empty."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class DiffStats:
    """Word counts of a diff (punctuation and whitespace are not counted as words)."""

    inserted: int
    deleted: int
    unchanged: int
    has_changes: bool  # True also when only punctuation or spacing changed


class SideBySideRow(NamedTuple):
    old_html: SafeString
    new_html: SafeString
    folded: bool  # True for a row that only says how many unchanged words are hidden


# --------------------------------------------------------------------------------------------
# Tokenising
# --------------------------------------------------------------------------------------------

_NEWLINES = frozenset(("\n", "\r\n", "\r"))


@cache
def _token_re() -> re.Pattern[str]:
    # Combining marks (accents, Indic vowel signs, variation selectors...) are not \w in Python's
    # re, so a word would break at each of them: collect category M in the BMP once (~30 ms).
    ranges: list[str] = []
    start = None
    category = unicodedata.category
    for cp in range(0x300, 0x10001):
        is_mark = cp < 0x10000 and category(chr(cp))[0] == "M"
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{cp - 1:04x}" if cp - 1 > start else f"\\u{start:04x}")
            start = None
    marks = "".join(ranges) + "\\U000e0100-\\U000e01ef"
    letter = "[^\\W_]"  # "_" is Markdown emphasis, not part of a word
    return re.compile(
        "|".join(
            (
                r"\r\n|\r|\n",  # each line break on its own
                r"[^\S\r\n]+",  # other whitespace runs
                r"\d+(?:[.,]\d+)+",  # 1,500.75 / 2025.1
                # words with their combining marks and inner apostrophes: café, don't, l'homme
                f"{letter}+(?:(?:[{marks}]+|['\u2019](?={letter})){letter}*)*",
                # anything else, one character, with what attaches to it (marks, emoji modifiers, ZWJ sequences)
                f"\\S(?:[{marks}\U0001f3fb-\U0001f3ff]|\u200d\\S)*",
            )
        )
    )


def tokenize(text: str) -> list[str]:
    """Split ``text`` into words, whitespace runs, single line breaks and symbols (lossless)."""
    return _token_re().findall(text)


def _is_word(token: str) -> bool:
    return token[0].isalnum()  # words and numbers are the only tokens that start with one


def _is_space(token: str) -> bool:
    return token.isspace()


def _count_words(tokens: Sequence[str]) -> int:
    return sum([t[0].isalnum() for t in tokens])


def _word_count(text: str) -> int:
    return _count_words(tokenize(text)) if text else 0


# --------------------------------------------------------------------------------------------
# Alignment (minimal diff of two sequences)
# --------------------------------------------------------------------------------------------

# Code points used to encode items as characters (surrogates cannot be used in a str for C++).
_MAX_DISTINCT = 0x110000 - 0x800


def _encode(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[str, str] | None:
    ids: dict[Hashable, int] = {}
    setdefault = ids.setdefault
    ia = [setdefault(t, len(ids)) for t in a]
    ib = [setdefault(t, len(ids)) for t in b]
    if len(ids) > _MAX_DISTINCT:
        return None
    if len(ids) >= 0xD800:
        ia = [i + 0x800 if i >= 0xD800 else i for i in ia]
        ib = [i + 0x800 if i >= 0xD800 else i for i in ib]
    return "".join(map(chr, ia)), "".join(map(chr, ib))


def _exact_opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[str, int, int, int, int]]:
    """Minimal alignment with rapidfuzz: bounded time O(len_a * len_b / 64) whatever the texts."""
    # Indel (LCS) keeps a bit matrix; Levenshtein's alignment uses Hirschberg's linear memory
    ops = Indel.opcodes(a, b) if len(a) * len(b) <= _LCS_MATRIX_LIMIT else Levenshtein.opcodes(a, b)
    return [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end) for op in ops]


def _opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes (tag, i1, i2, j1, j2) of a minimal diff of two sequences of hashables.

    Tags are "equal", "delete", "insert" and "replace" (deleted run followed by inserted run).
    """
    n, m = len(a), len(b)
    if not n and not m:
        return []
    if not n:
        return [("insert", 0, 0, 0, m)]
    if not m:
        return [("delete", 0, n, 0, 0)]
    encoded = _encode(a, b)
    if encoded is None:  # over a million distinct items: align the id lists directly
        return _exact_opcodes(a, b)
    sa, sb = encoded
    if sa == sb:
        return [("equal", 0, n, 0, m)]
    raw = fast_diff_match_patch.diff(
        sa, sb, timelimit=MYERS_TIME_LIMIT, checklines=False, cleanup="No", counts_only=True
    )
    out: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    di = dj = 0  # pending deleted / inserted counts

    def flush() -> None:
        nonlocal di, dj
        if not (di or dj):
            return
        i1, j1 = i - di, j - dj
        if di and dj and not set(sa[i1:i]).isdisjoint(sb[j1:j]):
            # Not minimal: diff-match-patch ran out of time here. Re-align this region exactly.
            for tag, x1, x2, y1, y2 in _exact_opcodes(sa[i1:i], sb[j1:j]):
                out.append((tag, i1 + x1, i1 + x2, j1 + y1, j1 + y2))
        else:
            tag = "replace" if di and dj else ("delete" if di else "insert")
            out.append((tag, i1, i, j1, j))
        di = dj = 0

    for op, count in raw:
        if op == "=":
            flush()
            out.append(("equal", i, i + count, j, j + count))
            i += count
            j += count
        elif op == "-":
            i += count
            di += count
        else:
            j += count
            dj += count
    flush()
    return out


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    """Matching blocks ``(i, j, size)`` of a minimal diff, ending with ``(len(a), len(b), 0)``.

    Same shape as ``difflib.SequenceMatcher.get_matching_blocks`` (used by the three-way merge).
    """
    blocks: list[tuple[int, int, int]] = []
    for tag, i1, i2, j1, _j2 in _opcodes(a, b):
        if tag == "equal" and i2 > i1:
            if blocks and blocks[-1][0] + blocks[-1][2] == i1 and blocks[-1][1] + blocks[-1][2] == j1:
                bi, bj, bn = blocks.pop()
                blocks.append((bi, bj, bn + i2 - i1))
            else:
                blocks.append((i1, j1, i2 - i1))
    blocks.append((len(a), len(b), 0))
    return blocks


# --------------------------------------------------------------------------------------------
# Clean-up for reading
# --------------------------------------------------------------------------------------------


_SENTENCE_ENDS = frozenset(".!?;:\u2026\u3002")


def _start_score(before: str | None, first: str) -> int:
    """How good a place the boundary between ``before`` and an edit starting with ``first`` is."""
    if before is None:
        return 4
    if before in _NEWLINES:
        return 4 if not _is_space(first) else 0
    if _is_space(before):
        return 3 if not _is_space(first) else 0
    if _is_space(first):
        return 1
    return 2 if not _is_word(first) else 0  # "concept|, and more"


def _end_score(last: str, after: str | None) -> int:
    """How good a place the boundary between an edit ending with ``last`` and ``after`` is."""
    if after is None or (after in _NEWLINES and not _is_space(last)):
        return 4  # end of the text or of a paragraph
    if last in _NEWLINES:
        return 4 if not _is_space(after) else 0
    if _is_space(last):
        return 3 if not _is_space(after) else 0
    if _is_space(after):
        return 1
    return 2 if not _is_word(after) else 0  # "more|."


def _split_at_paragraphs(ops: list[list]) -> list[list]:
    """Keep a paragraph added (or removed) after an edited one in a run of its own.

    Old "… returnees." and new "… returnees and families.\n\nObjective 3." align equally well as
    "returnees<ins> and families.\n\nObjective 3</ins>." and as
    "returnees<ins> and families</ins>.<ins>\n\nObjective 3.</ins>"; the second is chosen: when one
    side of a change holds a line break and the tokens just before its first line break are the
    rest of the line that follows the change, those tokens are matched there instead.
    """
    out = [ops[0]]
    k = 1
    while k < len(ops) - 1:
        # a change: one op, or a delete followed by an insert (a replacement)
        size = 2 if ops[k][0] == DELETE and ops[k + 1][0] == INSERT else 1
        if ops[k][0] == EQUAL or out[-1][0] != EQUAL or ops[k + size][0] != EQUAL:
            out.append(ops[k])
            k += 1
            continue
        sides = ops[k : k + size]
        breaking = [op for op in sides if any(t in _NEWLINES for t in op[1])]
        right = ops[k + size][1]
        done = False
        if len(breaking) == 1:
            kind, edit = breaking[0]
            q = next(i for i, t in enumerate(edit) if t in _NEWLINES)
            m = next((i for i, t in enumerate(right) if t in _NEWLINES), len(right))
            if 0 < m <= q and edit[q - m : q] == right[:m]:
                for other_kind, tokens in sides:  # the change, less the moved tail
                    part = tokens[: q - m] if other_kind == kind else tokens
                    if part:
                        out.append([other_kind, part])
                if out[-1][0] == EQUAL:
                    out[-1][1].extend(edit[:q])
                else:
                    out.append([EQUAL, edit[q - m : q]])
                out.append([kind, edit[q:] + right[:m]])
                ops[k + size] = [EQUAL, right[m:]]
                done = True
        if not done:
            out.extend(sides)
        k += size
    out.append(ops[-1])
    return out


def _slide(ops: list[list]) -> None:
    """Move each pure insertion/deletion between two equalities to the best word boundary.

    ``ops`` are [kind, tokens] lists, padded with an (empty) equality at both ends.
    """
    last = len(ops) - 1
    for k in range(1, last):
        kind, edit = ops[k]
        if kind == EQUAL or ops[k - 1][0] != EQUAL or ops[k + 1][0] != EQUAL:
            continue  # equalities, and the two halves of a replacement, do not slide
        left, right = ops[k - 1][1], ops[k + 1][1]
        nl, ne, nr = len(left), len(edit), len(right)

        def at(p: int, left=left, edit=edit, right=right, nl=nl, ne=ne) -> str:
            if p < nl:
                return left[p]
            if p < nl + ne:
                return edit[p - nl]
            return right[p - nl - ne]

        # an equality that separates this edit from another one keeps at least one token
        lo = 1 if k - 1 > 0 else 0
        hi = nl + nr - (1 if k + 1 < last else 0)  # highest start position of the edit
        p = nl
        while p > lo and nl - p < _MAX_SLIDE and at(p - 1) == at(p + ne - 1):
            p -= 1
        p_min = p
        p = nl
        while p < hi and p - nl < _MAX_SLIDE and at(p) == at(p + ne):
            p += 1
        if p_min == p:
            continue
        end = nl + ne + nr
        best, best_score = nl, -1
        for q in range(p_min, p + 1):
            score = _start_score(at(q - 1) if q > 0 else None, at(q)) + _end_score(
                at(q + ne - 1), at(q + ne) if q + ne < end else None
            )
            # better still: an edit that starts at a sentence and ends after one (". |Two words. |")
            if q > 1 and at(q - 2) in _SENTENCE_ENDS:
                score += 1
            if ne > 1 and at(q + ne - 2) in _SENTENCE_ENDS:
                score += 1
            if score > best_score:
                best, best_score = q, score
        if best < nl:
            moved = left[best:] + edit
            ops[k - 1][1], ops[k][1], ops[k + 1][1] = left[:best], moved[:ne], moved[ne:] + right
        elif best > nl:
            shift = best - nl
            moved = edit + right[:shift]
            ops[k - 1][1], ops[k][1], ops[k + 1][1] = left + moved[:shift], moved[shift:], right[shift:]


def _groups(ops: list[list]) -> list[list]:
    """[kind, tokens] ops -> alternating [EQUAL, tokens] and [CHANGE, deleted, inserted] items."""
    out: list[list] = []
    for kind, tokens in ops:
        if not tokens:
            continue
        if kind == EQUAL:
            if out and out[-1][0] == EQUAL:
                out[-1][1].extend(tokens)
            else:
                out.append([EQUAL, tokens])
        else:
            if not out or out[-1][0] == EQUAL:
                out.append([_CHANGE, [], []])
            out[-1][1 if kind == DELETE else 2].extend(tokens)
    return out


_CHANGE = "change"


def _absorb_islands(groups: list[list]) -> list[list]:
    """Fold small unchanged islands between two edits into one replacement.

    An island is folded when it has no line break and either no word (a space, ", ", " - ") or
    at most half as many words as the larger side of each neighbouring edit (one common "the"
    between two rewritten phrases), and neither edit adds or removes a line break. Repeated until
    nothing changes, as folding grows the edits.
    """
    # changes as [CHANGE, deleted, inserted, deleted words, inserted words, has a line break]
    # (an edit that adds or removes a line break is never merged with another one)
    items = [
        g
        if g[0] == EQUAL
        else [*g, _count_words(g[1]), _count_words(g[2]), any(t in _NEWLINES for t in chain(g[1], g[2]))]
        for g in groups
    ]
    for _ in range(8):  # a few passes reach a fixed point in practice; the bound keeps it linear
        changed = False
        out: list[list] = []
        for item in items:
            if item[0] == _CHANGE and len(out) >= 2 and out[-1][0] == EQUAL and not (item[5] or out[-2][5]):
                left = out[-2]
                limit = min(max(left[3], left[4]), max(item[3], item[4])) // 2
                words = _island_words(out[-1][1], limit)
                if words is not None:
                    island = out.pop()[1]
                    left[1].extend(island)
                    left[1].extend(item[1])
                    left[2].extend(island)
                    left[2].extend(item[2])
                    left[3] += words + item[3]
                    left[4] += words + item[4]
                    changed = True
                    continue
            out.append(item)
        items = out
        if not changed:
            break
    return [item if item[0] == EQUAL else item[:3] for item in items]


def _island_words(island: list[str], limit: int) -> int | None:
    """Number of words of an unchanged island that may be folded, or None (line break, too long)."""
    words = 0
    for token in island:
        if token[0].isalnum():
            words += 1
            if words > limit:
                return None
        elif token in _NEWLINES:
            return None
    return words


def _factor(groups: list[list]) -> list[list]:
    """Move tokens common to the start/end of a replacement's two sides into the equalities."""
    out: list[list] = []
    pending: list[str] = []  # common suffix to prepend to the next equality
    for item in groups:
        if item[0] == EQUAL:
            tokens = pending + item[1] if pending else item[1]
            pending = []
            if out and out[-1][0] == EQUAL:
                out[-1][1].extend(tokens)
            else:
                out.append([EQUAL, tokens])
            continue
        if pending:
            out.append([EQUAL, pending])
            pending = []
        _, dele, ins = item
        p = 0
        while p < len(dele) and p < len(ins) and dele[p] == ins[p]:
            p += 1
        s = 0
        while s < len(dele) - p and s < len(ins) - p and dele[-1 - s] == ins[-1 - s]:
            s += 1
        if p:
            if out and out[-1][0] == EQUAL:
                out[-1][1].extend(dele[:p])
            else:
                out.append([EQUAL, dele[:p]])
        core_d, core_i = dele[p : len(dele) - s], ins[p : len(ins) - s]
        if core_d or core_i:
            out.append([_CHANGE, core_d, core_i])
        if s:
            pending = dele[len(dele) - s :]
    if pending:
        out.append([EQUAL, pending])
    return out


def diff_words(old: str, new: str) -> list[Op]:
    """Word-level diff: ops whose equal+delete texts join to ``old`` and equal+insert to ``new``.

    Consecutive ops never have the same kind; in a replacement the delete comes first.
    """
    if old == new:
        return [Op(EQUAL, old)] if old else []
    a, b = tokenize(old), tokenize(new)
    # [kind, tokens] ops, padded with an empty equality at both ends; a change is its deleted
    # tokens then its inserted tokens (either may be missing)
    ops: list[list] = [[EQUAL, []]]
    deleted: list[str] = []
    inserted: list[str] = []
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag != "equal":
            deleted.extend(a[i1:i2])
            inserted.extend(b[j1:j2])
            continue
        if deleted or inserted:
            if deleted:
                ops.append([DELETE, deleted])
            if inserted:
                ops.append([INSERT, inserted])
            deleted, inserted = [], []
            ops.append([EQUAL, a[i1:i2]])
        else:
            ops[-1][1].extend(a[i1:i2])
    if deleted:
        ops.append([DELETE, deleted])
    if inserted:
        ops.append([INSERT, inserted])
    ops.append([EQUAL, []])
    ops = _split_at_paragraphs(ops)
    _slide(ops)
    groups = _factor(_absorb_islands(_groups(ops)))
    result: list[Op] = []
    for item in groups:
        if item[0] == EQUAL:
            if item[1]:
                result.append(Op(EQUAL, "".join(item[1])))
        else:
            if item[1]:
                result.append(Op(DELETE, "".join(item[1])))
            if item[2]:
                result.append(Op(INSERT, "".join(item[2])))
    return result


# --------------------------------------------------------------------------------------------
# Statistics and rendering
# --------------------------------------------------------------------------------------------


def diff_stats(ops: Sequence[Op]) -> DiffStats:
    counts = {EQUAL: 0, INSERT: 0, DELETE: 0}
    for op in ops:
        counts[op.kind] += _word_count(op.text)
    return DiffStats(
        inserted=counts[INSERT],
        deleted=counts[DELETE],
        unchanged=counts[EQUAL],
        has_changes=any(op.kind != EQUAL for op in ops),
    )


def default_fold_label(count: int) -> str:
    """English label of a fold; pass ``fold_label=`` to translate (e.g. with ``ngettext``)."""
    return f"… {count} unchanged word{'' if count == 1 else 's'} …"


_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


def _change_html(kind: str, text: str) -> str:
    body = escape(text)
    if not text.strip():
        # a change made only of spacing (a paragraph split or join): make the line breaks visible
        body = _LINE_BREAK_RE.sub(lambda m: "¶" + m.group(0), body)
    tag = "ins" if kind == INSERT else "del"
    return f"<{tag}>{body}</{tag}>"  # body is escaped above


def _fold_html(count: int, fold_label: Callable[[int], str]) -> str:
    return format_html('<span class="diff-fold">{}</span>', fold_label(count))


def _split_for_fold(text: str, keep_head: int, keep_tail: int) -> tuple[str, int, str, bool] | None:
    """Split an unchanged text into (head, hidden word count, tail, hidden has a line break).

    ``None`` when nothing would be hidden. ``head`` keeps ``keep_head`` words (with punctuation
    right after the last one), ``tail`` the last ``keep_tail`` words.
    """
    tokens = tokenize(text)
    word_idx = [i for i, t in enumerate(tokens) if _is_word(t)]
    n = len(word_idx)
    if n <= keep_head + keep_tail:
        return None
    h = 0
    if keep_head:
        h = word_idx[keep_head - 1] + 1
        while h < len(tokens) and not _is_space(tokens[h]) and not _is_word(tokens[h]):
            h += 1
    s = len(tokens)
    if keep_tail:
        s = word_idx[n - keep_tail]
        while s > h and not _is_space(tokens[s - 1]) and not _is_word(tokens[s - 1]):
            s -= 1
    hidden = tokens[h:s]
    hidden_words = _count_words(hidden)
    if hidden_words == 0:
        return None
    return "".join(tokens[:h]), hidden_words, "".join(tokens[s:]), any(t in _NEWLINES for t in hidden)


def _equal_html(
    text: str, keep_head: int, keep_tail: int, fold_label: Callable[[int], str], expandable: bool = False
) -> str:
    """Escaped unchanged text, its middle folded when it has more than keep_head+keep_tail words.

    ``expandable``: the fold (with the spacing around it) is ``<span class="diff-fold-run">``, followed
    by the words it stands for in a ``hidden`` ``<span class="diff-fold-text">``, for a script to swap."""
    split = _split_for_fold(text, keep_head, keep_tail)
    if split is None:
        return escape(text)
    head, hidden, tail, has_break = split
    sep = "\n" if has_break else " "
    fold = (sep if head else "") + _fold_html(hidden, fold_label) + (sep if tail else "")
    if expandable:
        start = len(head.rstrip()) if head else 0
        end = len(text) - len(tail.lstrip()) if tail else len(text)
        fold = format_html(
            '<span class="diff-fold-run">{}</span><span class="diff-fold-text" hidden>{}</span>',
            mark_safe(fold),  # noqa: S308 - built by format_html from escaped parts
            text[start:end],
        )
    return (escape(head.rstrip()) if head else "") + fold + (escape(tail.lstrip()) if tail else "")


def inline_html(
    ops: Sequence[Op],
    context: int = 40,
    *,
    fold_label: Callable[[int], str] = default_fold_label,
    expandable: bool = False,
) -> SafeString:
    """One-column diff: ``<del>``/``<ins>`` for changes, long unchanged stretches folded.

    An unchanged stretch between two changes keeps ``context`` words on each side and folds the
    rest into ``<span class="diff-fold">… N unchanged words …</span>`` (only if it has more than
    ``2 * context`` words); before the first change and after the last one only the ``context``
    words next to the change are kept. A diff without changes folds entirely. ``expandable`` keeps
    the folded words in the page, hidden, after each fold (see ``_equal_html``).
    """
    parts: list[str] = []
    last = len(ops) - 1
    for k, op in enumerate(ops):
        if op.kind == EQUAL:
            keep_head, keep_tail = context if k > 0 else 0, context if k < last else 0
            parts.append(_equal_html(op.text, keep_head, keep_tail, fold_label, expandable))
        else:
            parts.append(_change_html(op.kind, op.text))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped or built by format_html


_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class _Row:
    __slots__ = ("new", "old")

    def __init__(self) -> None:
        self.old: list[tuple[str, str]] = []
        self.new: list[tuple[str, str]] = []

    @property
    def changed(self) -> bool:
        return any(kind != EQUAL for kind, _ in self.old) or any(kind != EQUAL for kind, _ in self.new)

    def visible(self) -> bool:
        return any(text.strip() for _, text in self.old) or any(text.strip() for _, text in self.new)

    def equal_text(self) -> str:
        return "".join(text for _, text in self.old)


def _paragraph_rows(ops: Sequence[Op]) -> list[_Row]:
    """Cut the diff into rows at line breaks both versions share; a paragraph inserted or deleted
    whole gets a row of its own with an empty cell on the other side."""
    rows: list[_Row] = []
    row = _Row()

    def emit() -> None:
        nonlocal row
        if row.visible():
            rows.append(row)
        row = _Row()

    for op in ops:
        for line in _LINE_RE.findall(op.text):
            ends_line = line.endswith(("\n", "\r"))
            if op.kind == EQUAL:
                row.old.append((EQUAL, line))
                row.new.append((EQUAL, line))
                if ends_line:
                    emit()
            elif op.kind == DELETE:
                row.old.append((DELETE, line))
                if ends_line and not row.new:
                    emit()
            else:
                row.new.append((INSERT, line))
                if ends_line and not row.old:
                    emit()
    emit()
    return rows


def _cell_html(
    pieces: list[tuple[str, str]], context: int, fold_label: Callable[[int], str], expandable: bool = False
) -> SafeString:
    # merge consecutive pieces of the same kind, then fold long unchanged pieces
    merged: list[list[str]] = []
    for kind, text in pieces:
        if merged and merged[-1][0] == kind:
            merged[-1][1] += text
        else:
            merged.append([kind, text])
    # the line break that ends the row is the cell boundary (a changed lone line break stays visible)
    if merged and (merged[-1][0] == EQUAL or merged[-1][1].strip()):
        merged[-1][1] = _strip_break(merged[-1][1])
    html = []
    for kind, text in merged:
        if not text:
            continue
        if kind == EQUAL:
            html.append(_equal_html(text, context, context, fold_label, expandable))
        else:
            html.append(_change_html(kind, text))
    return mark_safe("".join(html))  # noqa: S308 - pieces are escaped


_TRIM_MARK = '<span class="diff-trim">{}</span>'


def _trim_html(text: str, keep: int, from_start: bool, expandable: bool = False) -> tuple[str, int]:
    """Escaped first (or last) ``keep`` words of an unchanged paragraph, with "…" for the rest;
    and where in the (break-stripped) paragraph the words left out begin (or end)."""
    text = _strip_break(text)
    split = _split_for_fold(text, keep, 0) if from_start else _split_for_fold(text, 0, keep)
    if split is None:
        return escape(text), len(text) if from_start else 0
    head, _hidden, tail, _ = split
    # with expandable folds the "…" goes when the fold is opened (static/js/compare.js)
    mark = _TRIM_MARK if expandable else "{}"
    if from_start:
        return escape(head.rstrip()) + mark.format(" …"), len(head.rstrip())
    return mark.format("… ") + escape(tail.lstrip()), len(text) - len(tail.lstrip())


def side_by_side(
    ops: Sequence[Op],
    context: int = 40,
    *,
    fold_label: Callable[[int], str] = default_fold_label,
    expandable: bool = False,
) -> list[SideBySideRow]:
    """Two-column diff, one row per paragraph (rows are cut where both versions break a line).

    Unchanged paragraphs are kept only within ``context`` words of a change (the paragraph cut
    at the boundary is shortened with "…"); the words in between are replaced by one row with
    ``folded=True`` whose two cells say "… N unchanged words …". Inside a changed paragraph,
    unchanged stretches longer than ``2 * context`` words are folded the same way inline.
    ``expandable``: each fold is followed by the words it stands for, hidden, as in ``inline_html``
    (the paragraphs of a folded row separated by a blank line), and the "…" of the paragraphs cut
    at its edges is ``<span class="diff-trim">``, for a script to open the fold in place.
    """
    rows = _paragraph_rows(ops)
    out: list[SideBySideRow] = []
    k = 0
    while k < len(rows):
        if rows[k].changed:
            old_html = _cell_html(rows[k].old, context, fold_label, expandable)
            out.append(SideBySideRow(old_html, _cell_html(rows[k].new, context, fold_label, expandable), False))
            k += 1
            continue
        end = k
        while end < len(rows) and not rows[end].changed:
            end += 1
        keep_head, keep_tail = context if k > 0 else 0, context if end < len(rows) else 0
        out.extend(_unchanged_rows(rows[k:end], keep_head, keep_tail, fold_label, expandable))
        k = end
    return out


def _unchanged_rows(
    run: list[_Row], keep_head: int, keep_tail: int, fold_label: Callable[[int], str], expandable: bool = False
) -> list[SideBySideRow]:
    texts = [row.equal_text() for row in run]
    counts = [_word_count(t) for t in texts]
    total = sum(counts)
    if total <= keep_head + keep_tail:
        return [_same_row(escape(_strip_break(t))) for t in texts]
    # The run's paragraphs as one text, and offsets in it of the words shown before and after the fold.
    paragraphs = [_strip_break(t) for t in texts]
    starts = [sum(len(p) + 2 for p in paragraphs[:n]) for n in range(len(paragraphs))]
    hidden_from, hidden_to = 0, starts[-1] + len(paragraphs[-1])
    head_rows: list[SideBySideRow] = []
    budget, shown = keep_head, 0
    i = 0
    while budget > 0 and i < len(texts):
        if counts[i] <= budget:
            head_rows.append(_same_row(escape(paragraphs[i])))
            budget -= counts[i]
            shown += counts[i]
            hidden_from = starts[i + 1] if i + 1 < len(texts) else hidden_to
            i += 1
        else:
            html, cut = _trim_html(texts[i], budget, from_start=True, expandable=expandable)
            head_rows.append(_same_row(html))
            hidden_from = starts[i] + cut
            shown += budget
            budget = 0
    tail_rows: list[SideBySideRow] = []
    budget = keep_tail
    j = len(texts) - 1
    while budget > 0 and j >= 0:
        if counts[j] <= budget:
            tail_rows.append(_same_row(escape(paragraphs[j])))
            budget -= counts[j]
            shown += counts[j]
            hidden_to = starts[j] - 2 if j > 0 else 0
            j -= 1
        else:
            html, cut = _trim_html(texts[j], budget, from_start=False, expandable=expandable)
            tail_rows.append(_same_row(html))
            hidden_to = starts[j] + cut
            shown += budget
            budget = 0
    fold = _fold_html(total - shown, fold_label)
    if expandable:
        words = "\n\n".join(paragraphs)[hidden_from:hidden_to].strip()
        fold = format_html(
            '<span class="diff-fold-run">{}</span><span class="diff-fold-text" hidden>{}</span>',
            mark_safe(fold),  # noqa: S308 - built by format_html
            words,
        )
    return [*head_rows, SideBySideRow(mark_safe(fold), mark_safe(fold), True), *reversed(tail_rows)]  # noqa: S308


def _strip_break(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith(("\n", "\r")):
        return text[:-1]
    return text


def _same_row(html: str) -> SideBySideRow:
    safe = mark_safe(html)  # noqa: S308 - escaped by the caller
    return SideBySideRow(safe, safe, False)
