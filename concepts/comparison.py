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


def compare_snapshots(old: Snapshot, new: Snapshot) -> list[SectionChange]:
    """Every section of either side, in the new side's order, then the removed ones."""
    old_order = list(old.entries)
    new_order = list(new.entries)
    # A section moved if its place among the sections both sides share changed.
    shared_old = [sid for sid in old_order if sid in new.entries]
    shared_new = [sid for sid in new_order if sid in old.entries]
    old_rank = {sid: rank for rank, sid in enumerate(shared_old)}
    changes = []
    for rank, sid in enumerate(shared_new):
        number, level, title, body = new.entries[sid]
        old_number, _old_level, old_title, old_body = old.entries[sid]
        change = SectionChange(
            section_id=sid, kind="unchanged", old_number=old_number, new_number=number, old_title=old_title,
            new_title=title, level=level, moved=old_rank[sid] != rank, renamed=old_title != title,
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
