"""The concept's outline: sections in reading order with their numbers (1, 1.1, 1.1.1)."""

from dataclasses import dataclass


@dataclass
class OutlineEntry:
    section: object
    number: str
    level: int


def build_outline(sections) -> list[OutlineEntry]:
    """`sections`: every non-removed section of one concept (any order). One pass, no queries."""
    children: dict[int | None, list] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    for siblings in children.values():
        siblings.sort(key=lambda s: (s.position, s.pk))
    outline: list[OutlineEntry] = []

    def walk(parent_id, prefix, level):
        for index, section in enumerate(children.get(parent_id, []), start=1):
            number = f"{prefix}{index}"
            outline.append(OutlineEntry(section=section, number=number, level=level))
            walk(section.pk, f"{number}.", level + 1)

    walk(None, "", 1)
    return outline


def subtree(outline: list[OutlineEntry], section_id: int) -> tuple[set[int], int]:
    """The section and its subsections (their ids), and how many levels they span (1: none)."""
    at = next(index for index, entry in enumerate(outline) if entry.section.pk == section_id)
    level = outline[at].level
    ids, height = {section_id}, 1
    for entry in outline[at + 1 :]:
        if entry.level <= level:
            break
        ids.add(entry.section.pk)
        height = max(height, entry.level - level + 1)
    return ids, height
