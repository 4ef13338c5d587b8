"""Comparison of two states of a whole concept: two editions, or an edition and the draft."""

from dataclasses import dataclass, field

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
