"""Comparison of two states of a whole concept: two editions, or an edition and the draft; and
the marking of the changes in a rendered diff, for reading and for moving from one to the next."""

import re
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .textdiff import diff_words


@dataclass
class Snapshot:
    """One state of a concept: section id → (number, level, title, body), in reading order."""

    label: str
    entries: dict[int, tuple[str, int, str, str]] = field(default_factory=dict)


@dataclass
class SectionChange:
    section_id: int
    kind: str  # added, removed, changed, unchanged
    old_number: str = ""
    new_number: str = ""
    old_title: str = ""
    new_title: str = ""
    level: int = 1
    moved: bool = False
    renamed: bool = False
    body_ops: list = field(default_factory=list)


def snapshot_of_edition(edition, entries) -> Snapshot:
    return Snapshot(
        label=edition.name,
        entries={e.section_id: (e.number, e.level, e.version.title, e.version.body) for e in entries},
    )


def snapshot_of_draft(label, outline) -> Snapshot:
    return Snapshot(
        label=label,
        entries={o.section.pk: (o.number, o.level, o.section.head.title, o.section.head.body) for o in outline},
    )


def _parents(snapshot: Snapshot) -> dict[int, int | None]:
    """Each section's parent, from the reading order and the levels."""
    parents, open_at_level = {}, {}
    for sid, (_number, level, _title, _body) in snapshot.entries.items():
        parents[sid] = open_at_level.get(level - 1)
        open_at_level[level] = sid
    return parents


def _kept_in_order(shared_old: list[int], shared_new: list[int]) -> set[int]:
    """The largest set of shared sections whose order both sides agree on.

    The longest increasing run of old positions taken in the new order (patience sorting,
    O(n log n)): the sections outside it are the ones that moved. Moving one section past ten
    others then marks that one section, not the ten it passed.
    """
    old_rank = {sid: rank for rank, sid in enumerate(shared_old)}
    tails: list[int] = []  # tails[k]: index in shared_new of the smallest end of a run of length k+1
    previous: list[int | None] = []
    for index, sid in enumerate(shared_new):
        rank = old_rank[sid]
        low, high = 0, len(tails)
        while low < high:
            middle = (low + high) // 2
            if old_rank[shared_new[tails[middle]]] < rank:
                low = middle + 1
            else:
                high = middle
        previous.append(tails[low - 1] if low else None)
        if low == len(tails):
            tails.append(index)
        else:
            tails[low] = index
    kept, index = set(), tails[-1] if tails else None
    while index is not None:
        kept.add(shared_new[index])
        index = previous[index]
    return kept


def compare_snapshots(old: Snapshot, new: Snapshot) -> list[SectionChange]:
    """Every section of either side, in the new side's order, then the removed ones."""
    old_order = list(old.entries)
    new_order = list(new.entries)
    # A section moved if it left the longest run of shared sections still in the same order,
    # or if it now sits under another parent section.
    shared_old = [sid for sid in old_order if sid in new.entries]
    shared_new = [sid for sid in new_order if sid in old.entries]
    in_order = _kept_in_order(shared_old, shared_new)
    old_parents, new_parents = _parents(old), _parents(new)
    changes = []
    for sid in shared_new:
        number, level, title, body = new.entries[sid]
        old_number, _old_level, old_title, old_body = old.entries[sid]
        change = SectionChange(
            section_id=sid, kind="unchanged", old_number=old_number, new_number=number, old_title=old_title,
            new_title=title, level=level, renamed=old_title != title,
            moved=sid not in in_order or old_parents[sid] != new_parents[sid],
        )  # fmt: skip
        if old_body != body:
            change.kind = "changed"
            change.body_ops = diff_words(old_body, body)
        elif change.renamed:
            change.kind = "changed"
        changes.append(change)
    for sid in new_order:
        if sid not in old.entries:
            number, level, title, body = new.entries[sid]
            changes.append(SectionChange(section_id=sid, kind="added", new_number=number, new_title=title, level=level,
                                         body_ops=diff_words("", body)))  # fmt: skip
    for sid in old_order:
        if sid not in new.entries:
            number, level, title, body = old.entries[sid]
            changes.append(SectionChange(section_id=sid, kind="removed", old_number=number, old_title=title,
                                         level=level, body_ops=diff_words(body, "")))  # fmt: skip
    position = {sid: i for i, sid in enumerate(new_order)}
    changes.sort(key=lambda c: (c.kind == "removed", position.get(c.section_id, 0)))
    return changes


# textdiff renders a change as <del>…</del>, <ins>…</ins>, or a replacement <del>…</del><ins>…</ins>,
# with the changed text escaped (no "<" inside) and nothing between the two halves of a replacement.
_CHANGE_RE = re.compile(r"<del>[^<]*</del>(?:<ins>[^<]*</ins>)?|<ins>[^<]*</ins>")
_MARK_RE = re.compile(r"<(ins|del)>")


def _announced(html: str) -> str:
    """Each insertion and deletion preceded by a word for those who cannot see its colour or line:
    screen readers do not all announce <ins> and <del>, and a printout in black and white loses the colour."""
    labels = {
        "ins": format_html('<span class="visually-hidden">{} </span>', gettext("Inserted:")),
        "del": format_html('<span class="visually-hidden">{} </span>', gettext("Deleted:")),
    }
    return _MARK_RE.sub(lambda match: f"{labels[match.group(1)]}{match.group(0)}", html)


def announced(html: str) -> SafeString:
    """textdiff's escaped HTML with each insertion and deletion announced in words, as the comparison
    pages show them (for a diff shown on its own, without the "next change" stops)."""
    return mark_safe(_announced(html))  # noqa: S308 - textdiff's escaped HTML, our own tags


def marked_changes(html: str) -> tuple[SafeString, int]:
    """A one-column diff with each change (an insertion, a deletion, or a replacement: a deletion
    and the insertion right after it) wrapped in a focusable element that the "next change" control
    moves to, and announced in words; and the number of changes."""
    count = 0

    def wrap(match: re.Match) -> str:
        nonlocal count
        count += 1
        return f'<span class="diff-change" data-change tabindex="-1">{_announced(match.group(0))}</span>'

    return mark_safe(_CHANGE_RE.sub(wrap, html)), count  # noqa: S308 - textdiff's escaped HTML, our own tags


def marked_rows(rows) -> tuple[list[dict], int]:
    """Side-by-side rows with their changes announced; a row with a change is one stop of the
    "next change" control (a replacement is a deletion on the left and an insertion on the right
    of one row). Returns the rows and the number of changed rows."""
    marked, count = [], 0
    for old_html, new_html, folded in rows:
        changed = not folded and any(tag in html for html in (old_html, new_html) for tag in ("<ins>", "<del>"))
        count += changed
        marked.append(
            {
                "old": mark_safe(_announced(old_html)),  # noqa: S308 - textdiff's escaped HTML, our own tags
                "new": mark_safe(_announced(new_html)),  # noqa: S308
                "folded": folded,
                "changed": changed,
            }
        )
    return marked, count


@dataclass
class UnchangedRun:
    """Consecutive sections that differ in nothing (moved ones are shown apart): one line on the page."""

    sections: list[SectionChange]
    kind: str = "unchanged-run"


def reading_blocks(changes: list[SectionChange]) -> list:
    """The comparison as it is read: every section that differs on its own, and each run of
    sections that do not collapsed into one `UnchangedRun`."""
    blocks: list = []
    for change in changes:
        if change.kind == "unchanged" and not change.moved:
            if blocks and isinstance(blocks[-1], UnchangedRun):
                blocks[-1].sections.append(change)
            else:
                blocks.append(UnchangedRun([change]))
        else:
            blocks.append(change)
    return blocks


@dataclass
class ComparisonForReading:
    blocks: list  # SectionChange and UnchangedRun, in reading order
    differing: list[SectionChange]  # the sections that differ in anything, moved ones included
    counts: dict[str, int]
    stops: int  # the places "Next change" moves to


def comparison_for_reading(changes: list[SectionChange], render_inline) -> ComparisonForReading:
    """An editions comparison as the page shows it: each differing section's text rendered with
    `render_inline(ops)` (textdiff's one-column HTML) and its changes marked; a section that moved
    or was renamed with its text unchanged is itself one stop of "Next change"."""
    stops = 0
    for change in changes:
        change.html, in_text = None, 0
        if change.body_ops and change.kind != "unchanged":
            change.html, in_text = marked_changes(render_inline(change.body_ops))
        change.is_stop = not in_text and (change.kind != "unchanged" or change.moved)
        stops += in_text + change.is_stop
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in ("added", "removed", "changed", "unchanged")}
    counts.update(moved=sum(1 for c in changes if c.moved), renamed=sum(1 for c in changes if c.renamed))
    return ComparisonForReading(
        blocks=reading_blocks(changes),
        differing=[c for c in changes if c.kind != "unchanged" or c.moved],
        counts=counts,
        stops=stops,
    )
