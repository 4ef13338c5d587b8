"""Three-way merge of a concept section's body (two people edited the same saved version).

Pure functions on strings; the alignment comes from ``concepts.textdiff`` (same fast diff).

How ``merge3`` decides
----------------------
It is the classic diff3: align ``mine`` and ``theirs`` each with ``base``; regions that neither
side changed are kept; a region changed by only one side takes that side's text; a region both
changed identically takes that text; a region both changed differently is a conflict.

1. First by lines (a Markdown paragraph is a line; blank lines go with the line before them):
   paragraphs edited by only one person, or identically by both, are taken whole. Edits of
   neighbouring paragraphs, and a paragraph inserted next to one the other person edited or
   deleted, are combined too (plain diff3 would need an untouched paragraph between them).
2. Where both changed the same paragraphs differently, the same diff3 is run again on the words
   of those paragraphs, so two people editing different sentences (or words) of one paragraph
   still merge cleanly.
3. What still conflicts at word level is widened to whole paragraphs (from the line break before
   to the line break after): a conflict shows the paragraph as ``base``, as ``mine`` and as
   ``theirs`` (each side's own text, without the other side's edits of that paragraph).

Decisions
---------
* Insertions at the same place by both (two new paragraphs after the same one, or two different
  words inserted at the same point of a sentence) are a conflict, not both kept in some order:
  keeping both silently could duplicate or garble content, while the person saving chooses, for
  each such passage, to keep their wording, the other, both (their own first: ``keep_both``)
  or an edited one (``resolve``).
* Deleting a paragraph that the other person edited is a conflict (the edit would be lost).
* Inside a paragraph, edits that touch each other (one inserts a word right before a word the
  other replaced) conflict, as in any diff3: they change one region of the base.
* Line breaks are compared as they are: normalise "\\r\\n" to "\\n" before storing texts so that a
  browser's line endings do not make every line differ.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from concepts.textdiff import matching_blocks, tokenize

__all__ = [
    "CHOICES",
    "Conflict",
    "MergeResult",
    "Resolution",
    "edges",
    "keep_both",
    "merge3",
    "resolve",
]

# A unit of the first, coarse pass: a line with the blank lines that follow it. (Blank lines on
# their own would match each other everywhere and misalign paragraphs that both sides edited.)
_UNIT_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)(?:[^\S\r\n]*(?:\r\n|\r|\n))*|[^\r\n]+")
_NEWLINES = frozenset(("\n", "\r\n", "\r"))


@dataclass(frozen=True, slots=True)
class Conflict:
    """A region (whole paragraphs) that both sides changed differently."""

    base: str  # the region in the common base version ("" when both inserted at the same place)
    mine: str  # the region as the person merging now wrote it
    theirs: str  # the region as saved meanwhile by someone else
    base_start: int  # character offsets of the region in base
    base_end: int
    line: int  # 1-based line number in base where the region starts


@dataclass(frozen=True, slots=True)
class MergeResult:
    """``parts`` is the merged text cut into merged strings and ``Conflict`` regions, in order."""

    parts: tuple[str | Conflict, ...]

    @property
    def conflicts(self) -> list[Conflict]:
        return [part for part in self.parts if isinstance(part, Conflict)]

    @property
    def clean(self) -> bool:
        return not any(isinstance(part, Conflict) for part in self.parts)

    @property
    def merged(self) -> str | None:
        """The merged text, or ``None`` when there is a conflict."""
        return "".join(self.parts) if self.clean else None  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# diff3 on sequences
# --------------------------------------------------------------------------------------------

_SAME = "same"
_CHANGED = "changed"


def _diff3(base: Sequence[Hashable], a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple]:
    """Cut three sequences into chunks ``(kind, b0, b1, a0, a1, c0, c1)`` in order.

    ``kind`` is "same" (identical in the three) or "changed" (at least one side differs from
    base there). Ranges index ``base``, ``a`` and ``b``.
    """
    am = matching_blocks(base, a)
    bm = matching_blocks(base, b)
    # regions of base matched by both sides ("sync regions")
    syncs: list[tuple[int, int, int, int]] = []
    ia = ib = 0
    while ia < len(am) and ib < len(bm):
        abase, amatch, alen = am[ia]
        bbase, bmatch, blen = bm[ib]
        lo = max(abase, bbase)
        hi = min(abase + alen, bbase + blen)
        if lo < hi:
            syncs.append((lo, hi, amatch + lo - abase, bmatch + lo - bbase))
        if abase + alen < bbase + blen:
            ia += 1
        else:
            ib += 1
    syncs.append((len(base), len(base), len(a), len(b)))
    chunks: list[tuple] = []
    iz = ia = ib = 0
    for zlo, zhi, alo, blo in syncs:
        if zlo > iz or alo > ia or blo > ib:
            chunks.append((_CHANGED, iz, zlo, ia, alo, ib, blo))
        size = zhi - zlo
        if size:
            chunks.append((_SAME, zlo, zhi, alo, alo + size, blo, blo + size))
        iz, ia, ib = zhi, alo + size, blo + size
    return chunks


def _join_touching(chunks: list[tuple], base: Sequence[str]) -> list[tuple]:
    """Changed chunks kept apart only by spaces touch: they are one change. Otherwise "legal aid"
    edited to "free legal aid" on one side and "public legal aid" on the other could be read as two
    insertions either side of the space and merged silently into "public free legal aid"."""
    out: list[tuple] = []
    for chunk in chunks:
        if (
            chunk[0] == _CHANGED
            and len(out) >= 2
            and out[-1][0] == _SAME
            and out[-2][0] == _CHANGED
            and all(token.isspace() and token not in _NEWLINES for token in base[out[-1][1] : out[-1][2]])
        ):
            out.pop()
            first = out.pop()
            chunk = (_CHANGED, first[1], chunk[2], first[3], chunk[4], first[5], chunk[6])
        out.append(chunk)
    return out


def _resolve(base, mine, theirs):
    """The result of a changed chunk when it is not a conflict, else ``None``."""
    if mine == theirs or theirs == base:
        return mine
    if mine == base:
        return theirs
    return None


# --------------------------------------------------------------------------------------------
# merge3
# --------------------------------------------------------------------------------------------


def merge3(base: str, mine: str, theirs: str) -> MergeResult:
    """Merge two versions edited from the same ``base``: by paragraphs first, then by words."""
    if mine == theirs or theirs == base:
        return MergeResult((mine,) if mine else ())
    if mine == base:
        return MergeResult((theirs,) if theirs else ())
    b_lines, m_lines, t_lines = _UNIT_RE.findall(base), _UNIT_RE.findall(mine), _UNIT_RE.findall(theirs)
    parts: list[str | Conflict] = []
    offset = 0  # character offset in base of the current chunk
    for _kind, b0, b1, m0, m1, t0, t1 in _diff3(b_lines, m_lines, t_lines):
        b_text = "".join(b_lines[b0:b1])
        m_text = "".join(m_lines[m0:m1])
        t_text = "".join(t_lines[t0:t1])
        resolved = _resolve(b_text, m_text, t_text)
        if resolved is None:
            units = _merge_units(b_lines[b0:b1], m_lines[m0:m1], t_lines[t0:t1])
            resolved = None if units is None else "".join(units)
        if resolved is not None:
            parts.append(resolved)
        else:
            parts.extend(_merge_words(b_text, m_text, t_text, offset))
        offset += len(b_text)
    return MergeResult(_tidy(parts, base))


_Hunk = tuple[int, int, tuple[str, ...]]  # base range [lo, hi) replaced by these units


def _hunks(base: Sequence[str], side: Sequence[str]) -> list[_Hunk]:
    hunks: list[_Hunk] = []
    i = j = 0
    for bi, sj, size in matching_blocks(base, side):
        if bi > i or sj > j:
            hunks.append((i, bi, tuple(side[j:sj])))
        i, j = bi + size, sj + size
    return hunks


def _may_insert(hunk: _Hunk) -> bool:
    """Whether a hunk is, or could hide, an insertion at one of its ends."""
    lo, hi, units = hunk
    if lo == hi:
        return True
    return bool(units) and len(units) != hi - lo  # a deletion or an in-place edit inserts nothing


def _clash(x: _Hunk, y: _Hunk) -> bool:
    (xl, xh, _), (yl, yh, _) = x, y
    if max(xl, yl) < min(xh, yh):
        return True  # both changed the same paragraph
    if (xl == xh and yl < xl < yh) or (yl == yh and xl < yl < xh):
        return True  # one inserted inside what the other changed
    # touching at a point: fine unless both may insert there (order unknown)
    return bool({xl, xh} & {yl, yh}) and _may_insert(x) and _may_insert(y)


def _merge_units(base: list[str], mine: list[str], theirs: list[str]) -> list[str] | None:
    """Merge by whole paragraphs where plain diff3 is too strict, else ``None``.

    diff3 needs an unchanged paragraph between two edits; here edits of neighbouring paragraphs,
    and a paragraph inserted next to one the other person edited or deleted, are combined too.
    Two insertions at the same point, or two edits of the same paragraph, are left to the word
    level.
    """
    mh, th = _hunks(base, mine), _hunks(base, theirs)
    if len(mh) * len(th) > 10_000:
        return None
    if any(x != y and _clash(x, y) for x in mh for y in th):
        return None
    out: list[str] = []
    pos = 0
    # at the same base position an insertion goes before an edit of the paragraph that follows
    for lo, hi, units in sorted(set(mh) | set(th), key=lambda h: (h[0], h[1] != h[0], h[1])):
        if lo < pos:
            return None
        out.extend(base[pos:lo])
        out.extend(units)
        pos = hi
    out.extend(base[pos:])
    return out


def _merge_words(base: str, mine: str, theirs: str, offset: int) -> list[str | Conflict]:
    """diff3 on the words of lines both sides changed; conflicts widened to whole paragraphs."""
    bt, mt, tt = tokenize(base), tokenize(mine), tokenize(theirs)
    out: list[str | Conflict] = []
    # current paragraph: each side's tokens, the merged tokens, whether it conflicts
    group_b: list[str] = []
    group_m: list[str] = []
    group_t: list[str] = []
    merged: list[str] = []
    conflict = False
    start = offset  # base offset of the current paragraph

    def close() -> None:
        nonlocal conflict, start, group_b, group_m, group_t, merged
        b_text = "".join(group_b)
        if conflict:
            out.extend(_conflict(group_b, group_m, group_t, start))
        elif merged:
            out.append("".join(merged))
        start += len(b_text)
        group_b, group_m, group_t, merged = [], [], [], []
        conflict = False

    for kind, b0, b1, m0, m1, t0, t1 in _join_touching(_diff3(bt, mt, tt), bt):
        if kind == _SAME:
            # a line break that all three keep ends a paragraph
            for token in bt[b0:b1]:
                group_b.append(token)
                group_m.append(token)
                group_t.append(token)
                merged.append(token)
                if token in _NEWLINES:
                    close()
            continue
        b_tokens, m_tokens, t_tokens = bt[b0:b1], mt[m0:m1], tt[t0:t1]
        group_b.extend(b_tokens)
        group_m.extend(m_tokens)
        group_t.extend(t_tokens)
        resolved = _resolve(b_tokens, m_tokens, t_tokens)
        if resolved is None:
            conflict = True
        else:
            merged.extend(resolved)
    close()
    return out


def _line_starts(tokens: list[str]) -> list[int]:
    """Token positions where a line starts (0, after each line break, and the end)."""
    starts = [0]
    starts.extend(i + 1 for i, t in enumerate(tokens) if t in _NEWLINES)
    if starts[-1] != len(tokens):
        starts.append(len(tokens))
    return starts


def _common_lines(m: list[str], t: list[str]) -> tuple[int, int]:
    """Token lengths of the longest run of whole lines that ``m`` and ``t`` both begin with, and
    then (in what is left) both end with."""
    prefix = prev = 0
    for pos in _line_starts(m)[1:]:
        if pos > len(t) or m[prev:pos] != t[prev:pos] or m[pos - 1] not in _NEWLINES:
            break
        prefix = prev = pos
    m, t = m[prefix:], t[prefix:]
    suffix = prev = 0
    for pos in reversed(_line_starts(m)[:-1]):
        size = len(m) - pos
        t_pos = len(t) - size
        if t_pos < 0 or m[pos : len(m) - prev] != t[t_pos : len(t) - prev]:
            break
        prev = size
        if t_pos == 0 or t[t_pos - 1] in _NEWLINES:
            suffix = size
    return prefix, suffix


def _conflict(b: list[str], m: list[str], t: list[str], start: int) -> list[str | Conflict]:
    """A conflict on these paragraphs, less the whole lines that both sides begin or end with
    (e.g. the blank line before two different new paragraphs), which are merged text."""
    prefix, suffix = _common_lines(m, t)
    head, tail = m[:prefix], m[len(m) - suffix :]
    m_core, t_core = m[prefix : len(m) - suffix], t[prefix : len(t) - suffix]
    b_start = start
    if head and b[:prefix] == head:
        b = b[prefix:]
        b_start += len("".join(head))
    if tail and b[len(b) - suffix :] == tail:
        b = b[: len(b) - suffix]
    out: list[str | Conflict] = ["".join(head)]
    resolved = _resolve(b, m_core, t_core)
    if resolved is not None:  # e.g. both added "X", one of them also "Y" before it
        out.append("".join(resolved))
    else:
        b_text = "".join(b)
        out.append(Conflict(b_text, "".join(m_core), "".join(t_core), b_start, b_start + len(b_text), 0))
    out.append("".join(tail))
    return out


def _tidy(parts: list[str | Conflict], base: str) -> tuple[str | Conflict, ...]:
    """Join neighbouring strings, drop empty ones, give each conflict its line number."""
    out: list[str | Conflict] = []
    for part in parts:
        if isinstance(part, Conflict):
            line = base.count("\n", 0, part.base_start) + 1
            out.append(Conflict(part.base, part.mine, part.theirs, part.base_start, part.base_end, line))
        elif part:
            if out and isinstance(out[-1], str):
                out[-1] += part
            else:
                out.append(part)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Resolving conflicts, passage by passage
# --------------------------------------------------------------------------------------------

MINE, THEIRS, BOTH, EDIT = "mine", "theirs", "both", "edit"
CHOICES = (MINE, THEIRS, BOTH, EDIT)

_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_LIST_LINE_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)]|\|)\s?")


@dataclass(frozen=True, slots=True)
class Resolution:
    """What to keep of one conflict: ``choice`` is one of ``CHOICES``; ``text`` is the edited wording."""

    choice: str
    text: str = ""


def edges(conflict: Conflict) -> tuple[str, str]:
    """The line breaks the passage starts and ends with, so that a resolved passage keeps its place
    between the paragraphs around it."""
    reference = conflict.mine if conflict.mine.strip() else conflict.theirs
    core = reference.strip("\n")
    if not core:
        return "", ""
    start = reference.index(core)
    return reference[:start], reference[start + len(core) :]


def _paragraphs(text: str) -> list[str]:
    return [part for part in _BLANK_LINE_RE.split(text.strip("\n")) if part.strip()]


def keep_both(conflict: Conflict) -> str:
    """Both wordings, the merging person's first. Paragraphs that both kept alike appear once, and
    two list items or table rows stay in one list or table."""
    mine, theirs = _paragraphs(conflict.mine), _paragraphs(conflict.theirs)
    prefix = 0
    while prefix < min(len(mine), len(theirs)) and mine[prefix] == theirs[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(mine), len(theirs)) - prefix and mine[-1 - suffix] == theirs[-1 - suffix]:
        suffix += 1
    mine_own = mine[prefix : len(mine) - suffix]
    theirs_own = theirs[prefix : len(theirs) - suffix]
    middle = "\n\n".join(mine_own)
    if mine_own and theirs_own:
        last, first = mine_own[-1].splitlines()[-1], theirs_own[0].splitlines()[0]
        joint = "\n" if _LIST_LINE_RE.match(last) and _LIST_LINE_RE.match(first) else "\n\n"
        middle += joint
    middle += "\n\n".join(theirs_own)
    paragraphs = (
        [*mine[:prefix], middle, *mine[len(mine) - suffix :]] if middle else mine[:prefix] + mine[len(mine) - suffix :]
    )
    lead, trail = edges(conflict)
    return lead + "\n\n".join(paragraphs) + trail if paragraphs else ""


def fit_edited(conflict: Conflict, text: str) -> str:
    """An edited wording of the passage, set between the paragraphs around it (nothing: the passage goes)."""
    core = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not core.strip():
        return ""
    lead, trail = edges(conflict)
    return lead + core + trail


def resolved_passage(conflict: Conflict, resolution: Resolution) -> str:
    if resolution.choice == MINE:
        return conflict.mine
    if resolution.choice == THEIRS:
        return conflict.theirs
    if resolution.choice == BOTH:
        return keep_both(conflict)
    if resolution.choice == EDIT:
        return fit_edited(conflict, resolution.text)
    raise ValueError(f"Unknown choice {resolution.choice!r}")


def resolve(result: MergeResult, resolutions: Sequence[Resolution]) -> str:
    """The merged text with each conflict replaced by what was chosen for it, in order."""
    conflicts = result.conflicts
    if len(resolutions) != len(conflicts):
        raise ValueError(f"{len(conflicts)} conflicts, {len(resolutions)} resolutions")
    chosen = iter(resolutions)
    return "".join(part if isinstance(part, str) else resolved_passage(part, next(chosen)) for part in result.parts)
