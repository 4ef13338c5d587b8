"""The portal's marks in the Word files it exports, so that a file sent back can be traced to its base.

Two marks, both invisible to the reader and kept by Word and LibreOffice when the file is edited:

- a custom document property set (docProps/custom.xml, File → Properties → Custom in Word):
  `mpf_export` (the format of these marks), `mpf_kind` (the render kind), `mpf_concept` (the
  concept's id), `mpf_base` (what the body text is: "edition:<id>" or "draft") and, for a
  comparison, `mpf_compared_with` (the older side: "edition:<id>");
- around each section's heading a bookmark `mpf_s<section id>_v<version id>`: the section and the
  version of it that the file shows (for a section a comparison removes, the version removed).

`read_marks` reads them back from the bytes of a .docx, with the same safe parsing as the Word
import (no entities, no network, sizes bounded by the caller).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

MARKS_FORMAT = 1
PROPERTY_PREFIX = "mpf_"
CUSTOM_PROPERTIES_PART = "/docProps/custom.xml"
CUSTOM_PROPERTIES_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PROPERTIES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_PROPERTIES_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id every user-defined property carries (ECMA-376 part 1, 22.3.2.2).
_USER_DEFINED_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BOOKMARK_RE = re.compile(r"^mpf_s(\d+)_v(\d+)$")
# Bookmark ids are shared with nothing else we write, but Word wants them unique: start far above
# the tracked-change and comment ids a file may also hold.
_FIRST_BOOKMARK_ID = 1_000_000


def bookmark_name(section_id: int, version_id: int) -> str:
    return f"mpf_s{section_id}_v{version_id}"


def export_properties(*, kind: str, concept_id: int, base: str, compared_with: str = "") -> dict[str, str]:
    """The custom properties of an export; `base` and `compared_with` as `state_key` writes them."""
    properties = {"export": str(MARKS_FORMAT), "kind": kind, "concept": str(concept_id), "base": base}
    if compared_with:
        properties["compared_with"] = compared_with
    return properties


def state_key(edition_id: int | None) -> str:
    """ "edition:<id>", or "draft" for the current draft."""
    return f"edition:{edition_id}" if edition_id else "draft"


def custom_properties_xml(properties: dict[str, str]) -> bytes:
    root = etree.Element(f"{{{_PROPERTIES_NS}}}Properties", nsmap={None: _PROPERTIES_NS, "vt": _VT_NS})
    for pid, (name, value) in enumerate(properties.items(), start=2):  # pid 0 and 1 are reserved
        prop = etree.SubElement(root, f"{{{_PROPERTIES_NS}}}property", fmtid=_USER_DEFINED_FMTID, pid=str(pid))
        prop.set("name", f"{PROPERTY_PREFIX}{name}")
        etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def mark_package(word, properties: dict[str, str]) -> None:
    """Adds (or replaces) the custom properties of a python-docx Document."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = word.part.package
    blob = custom_properties_xml(properties)
    for rel in package.rels.values():
        if rel.reltype == CUSTOM_PROPERTIES_REL and not rel.is_external:
            rel.target_part._blob = blob  # python-docx keeps an unparsed part's bytes there
            return
    part = Part(PackURI(CUSTOM_PROPERTIES_PART), CUSTOM_PROPERTIES_TYPE, blob, package)
    package.relate_to(part, CUSTOM_PROPERTIES_REL)


class BookmarkIds:
    """Numbers the bookmarks of one file."""

    def __init__(self):
        self.next = _FIRST_BOOKMARK_ID

    def take(self) -> int:
        self.next += 1
        return self.next


def bookmark_paragraph(p_element, name: str, ids: BookmarkIds) -> None:
    """Puts a bookmark `name` around the whole content of a paragraph (a python-docx CT_P or lxml w:p)."""
    bookmark_id = str(ids.take())
    start = etree.Element(f"{{{_W}}}bookmarkStart")
    start.set(f"{{{_W}}}id", bookmark_id)
    start.set(f"{{{_W}}}name", name)
    end = etree.Element(f"{{{_W}}}bookmarkEnd")
    end.set(f"{{{_W}}}id", bookmark_id)
    properties = p_element.find(f"{{{_W}}}pPr")
    if properties is not None:
        properties.addnext(start)
    else:
        p_element.insert(0, start)
    p_element.append(end)


# --- Reading ----------------------------------------------------------------------------------


@dataclass
class ExportMarks:
    """What a portal export says about itself; empty (`is_portal_export` false) for any other file."""

    properties: dict[str, str] = field(default_factory=dict)
    sections: list[tuple[int, int]] = field(default_factory=list)  # (section id, version id), in file order

    @property
    def is_portal_export(self) -> bool:
        return "export" in self.properties and "concept" in self.properties

    @property
    def concept_id(self) -> int | None:
        value = self.properties.get("concept", "")
        return int(value) if value.isdigit() else None

    @property
    def base(self) -> str:
        return self.properties.get("base", "")

    @property
    def compared_with(self) -> str:
        return self.properties.get("compared_with", "")

    @property
    def kind(self) -> str:
        return self.properties.get("kind", "")


def _parse(data: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    return etree.fromstring(data, parser)


def read_marks(data: bytes) -> ExportMarks:
    """The marks of a .docx file's bytes. A file without them (or not a .docx) gives empty marks.

    The caller bounds the size of `data` (the Word import's limits) before handing it here.
    """
    marks = ExportMarks()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "docProps/custom.xml" in names:
            root = _parse(archive.read("docProps/custom.xml"))
            for prop in root.iter(f"{{{_PROPERTIES_NS}}}property"):
                name = prop.get("name", "")
                if name.startswith(PROPERTY_PREFIX):
                    marks.properties[name[len(PROPERTY_PREFIX) :]] = "".join(prop.itertext()).strip()
        if "word/document.xml" in names:
            body = _parse(archive.read("word/document.xml"))
            for bookmark in body.iter(f"{{{_W}}}bookmarkStart"):
                match = _BOOKMARK_RE.match(bookmark.get(f"{{{_W}}}name", ""))
                if match:
                    marks.sections.append((int(match.group(1)), int(match.group(2))))
    except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, OSError, ValueError, EOFError):
        return ExportMarks()
    return marks
