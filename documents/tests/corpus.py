"""Real and disguised files, made in code for the tests: nothing binary is copied from elsewhere."""

import io
import zipfile

import docx
import openpyxl
from PIL import Image

from .factories import PDF_BYTES

CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def word_bytes(text: str = "Agenda of the fact-finding mission") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def excel_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Organisation", "Participants"])
    workbook.active.append(["State Migration Service", 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zipped(parts: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), parts[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, content in parts.items():
            if name != stored_first:
                archive.writestr(name, content)
    return buffer.getvalue()


def powerpoint_bytes() -> bytes:
    return zipped({"[Content_Types].xml": CONTENT_TYPES.encode(), "ppt/presentation.xml": b"<p:presentation/>"})


def opendocument_bytes(mimetype: str = "application/vnd.oasis.opendocument.text", **extra: bytes) -> bytes:
    parts = {"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>", **extra}
    return zipped(parts, stored_first="mimetype")


def image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (0, 51, 153)).save(buffer, format=kind)
    return buffer.getvalue()


def with_macros(office: bytes) -> bytes:
    """The same Word file with a VBA project inside: what Word saves as .docm."""
    source = zipfile.ZipFile(io.BytesIO(office))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 VBA project"
    return zipped(parts)


def zip_bomb() -> bytes:
    """A Word-shaped zip whose document part is declared to unpack to 60 MB of zeros (about 60 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w") as part:
            zeros = bytes(1024 * 1024)
            for _ in range(60):
                part.write(zeros)
    return buffer.getvalue()


EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(48) + b"This program cannot be run in DOS mode."
)
ELF = b"\x7fELF\x02\x01\x01" + bytes(64)

REAL = {
    "report.pdf": PDF_BYTES,
    "agenda.docx": word_bytes(),
    "participants.xlsx": excel_bytes(),
    "presentation.pptx": powerpoint_bytes(),
    "concept.odt": opendocument_bytes(),
    "budget.ods": opendocument_bytes("application/vnd.oasis.opendocument.spreadsheet"),
    "photo.png": image_bytes("PNG"),
    "photo.jpg": image_bytes("JPEG"),
    "photo.jpeg": image_bytes("JPEG"),
    "participants.csv": "Organisation;Participants\nГосударственная миграционная служба;12\n".encode(),
    "notes.txt": "\ufeffMeeting notes\r\n\tЗаметки встречи\n".encode(),
}
