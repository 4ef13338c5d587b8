"""Word documents for tests, built with python-docx, with what python-docx cannot write itself
(tracked changes, hyperlinks, footnotes) written into the document part by hand, as Word writes it."""

import io
import struct
import zlib

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def tiny_png() -> bytes:
    """A 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def tiny_png_file() -> io.BytesIO:
    return io.BytesIO(tiny_png())


def add_tracked_change(paragraph, inserted: str, deleted: str) -> None:
    change = 'w:author="Ministry" w:date="2019-03-01T10:00:00Z"'
    paragraph._p.append(parse_xml(f'<w:ins {W} w:id="101" {change}><w:r><w:t xml:space="preserve">{inserted}</w:t>'
                                  "</w:r></w:ins>"))  # fmt: skip
    paragraph._p.append(parse_xml(f'<w:del {W} w:id="102" {change}><w:r><w:delText xml:space="preserve">{deleted}'
                                  "</w:delText></w:r></w:del>"))  # fmt: skip


def add_hyperlink(paragraph, url: str, text: str) -> None:
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    paragraph._p.append(parse_xml(f'<w:hyperlink {W} {R} r:id="{r_id}"><w:r><w:t>{text}</w:t></w:r></w:hyperlink>'))


def add_footnote(document, paragraph, note_id: int, text: str) -> None:
    """A footnote reference in `paragraph`; the notes part is written by `write_footnotes`."""
    paragraph._p.append(parse_xml(f'<w:r {W}><w:footnoteReference w:id="{note_id}"/></w:r>'))
    document._footnotes = [*getattr(document, "_footnotes", []), (note_id, text)]


def write_footnotes(document) -> None:
    notes = "".join(
        f'<w:footnote w:id="{note_id}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t>'
        "</w:r></w:p></w:footnote>"
        for note_id, text in getattr(document, "_footnotes", [])
    )
    if not notes:
        return
    blob = f"<w:footnotes {W}>{notes}</w:footnotes>".encode()
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    part = Part(PackURI("/word/footnotes.xml"), content_type, blob, document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def save(document) -> bytes:
    write_footnotes(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
