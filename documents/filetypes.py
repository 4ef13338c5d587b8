"""What an uploaded file really is, read from its content, never from its name or the browser's word.

Only the formats a grant project exchanges are accepted: PDF, Word/Excel/PowerPoint (OOXML),
OpenDocument text and spreadsheet, PNG, JPEG, CSV and plain text. The decision is made from the
first bytes (signatures) and, for the zip-based office formats, from the zip's central directory,
which lists every part with its declared sizes: nothing is unpacked. Refused whatever the name:
executables (MZ, ELF, Mach-O, scripts starting with `#!`), archives (zip, rar, 7z, gzip, bzip2,
xz, tar), macro-enabled office files (a `vbaProject.bin` part, or OpenDocument `Basic/` and
`Scripts/` parts), and zip bombs (too many parts, or parts declared to unpack to more than the
limits below). A file whose content is accepted but does not match its extension is refused too.

Declared sizes can lie, but the portal never unpacks a stored document: it only hands the bytes
back as an attachment, so the limits protect whoever opens it from the obvious bombs only.
"""

import codecs
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 4096
TEXT_CHUNK = 64 * 1024
MAX_FILENAME = 150


@dataclass(frozen=True)
class FileKind:
    name: str  # shown to people: "PDF", "Word document"
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind(gettext_lazy("a PDF document"), "application/pdf", ("pdf",))
DOCX = FileKind(
    gettext_lazy("a Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = FileKind(
    gettext_lazy("an Excel workbook"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)
)
PPTX = FileKind(
    gettext_lazy("a PowerPoint presentation"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
)
ODT = FileKind(gettext_lazy("an OpenDocument text"), "application/vnd.oasis.opendocument.text", ("odt",))
ODS = FileKind(gettext_lazy("an OpenDocument spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet", ("ods",))
PNG = FileKind(gettext_lazy("a PNG image"), "image/png", ("png",))
JPEG = FileKind(gettext_lazy("a JPEG image"), "image/jpeg", ("jpg", "jpeg"))
CSV = FileKind(gettext_lazy("CSV text"), "text/csv; charset=utf-8", ("csv",))
TEXT = FileKind(gettext_lazy("plain text"), "text/plain; charset=utf-8", ("txt",))

KINDS = (PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPEG, CSV, TEXT)
ACCEPTED_EXTENSIONS = tuple(extension for kind in KINDS for extension in kind.extensions)

EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows (PE) and DOS
    b"\x7fELF",  # Linux and most Unix systems
    b"\xfe\xed\xfa\xce",  # Mach-O, 32 and 64 bits, both byte orders
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal (also Java classes)
    b"#!",  # scripts
)
ARCHIVE_SIGNATURES = (
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
    b"MSCF",  # Windows cabinet
)
# The parts that make a zip an office document; anything else zipped is an archive.
OOXML_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
ODF_MIMETYPES = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}


class Refused(ValidationError):
    """A file the portal does not accept; its message says why, in the reader's language."""


def clean_filename(name: str) -> str:
    """The name to keep and give back on download; refused when it holds path separators or control
    characters (the browser's multipart parser already strips directories; a caller of the service may not)."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if "/" in name or "\\" in name or any(unicodedata.category(char) in {"Cc", "Cf"} for char in name):
        raise Refused(_("The file name may not contain path separators or control characters."))
    name = name.lstrip(".").strip()
    if not name or "." not in name:
        raise Refused(_("The file name needs an extension, such as .pdf or .docx."))
    stem, extension = name.rsplit(".", 1)
    return f"{stem[: MAX_FILENAME - len(extension) - 1]}.{extension.lower()}"


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def detect(handle, *, size: int) -> FileKind:
    """The kind of the file open in `handle` (binary, seekable), or Refused. Leaves it at the start."""
    handle.seek(0)
    head = handle.read(HEAD_BYTES)
    try:
        return _detect(handle, head, size)
    finally:
        handle.seek(0)


def _detect(handle, head: bytes, size: int) -> FileKind:
    if size == 0:
        raise Refused(_("The file is empty."))
    if head.startswith(EXECUTABLE_SIGNATURES):
        raise Refused(_("Programs and scripts cannot be uploaded."))
    if head.startswith(ARCHIVE_SIGNATURES) or head[257:262] == b"ustar":
        raise Refused(_("Archives (zip, rar, 7z and the like) cannot be uploaded: upload the documents themselves."))
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zipped_office(handle)
    if _is_text(handle):
        return TEXT
    raise Refused(
        _(
            "This kind of file is not accepted. "
            "Upload PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, CSV or text files."
        )
    )


def _is_text(handle) -> bool:
    """UTF-8 (with or without a byte-order mark) with no control characters but tab, line and page breaks."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    allowed = {"\t", "\n", "\r", "\f"}
    while chunk := handle.read(TEXT_CHUNK):
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
        if any(unicodedata.category(char) == "Cc" and char not in allowed for char in text):
            return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _zipped_office(handle) -> FileKind:
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused(_("The file is damaged: its zip structure cannot be read.")) from None
    _check_bomb(parts)
    names = {part.filename.lower() for part in parts}
    if any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in names) or any(
        name.startswith(("basic/", "scripts/")) for name in names
    ):
        raise Refused(
            _("Office files with macros cannot be uploaded. Save it without macros (as .docx, .xlsx or .pptx).")
        )
    for main_part, kind in OOXML_MAIN_PARTS.items():
        if main_part in names and "[content_types].xml" in names:
            return kind
    if "mimetype" in names:
        mimetype = archive.getinfo(next(part.filename for part in parts if part.filename.lower() == "mimetype"))
        if mimetype.file_size <= 100:
            kind = ODF_MIMETYPES.get(archive.read(mimetype).strip())
            if kind:
                return kind
    raise Refused(_("Archives (zip, rar, 7z and the like) cannot be uploaded: upload the documents themselves."))


def _check_bomb(parts: list[zipfile.ZipInfo]) -> None:
    """Refuses a zip whose declared sizes could fill a disk or a memory when opened."""
    limits = settings.DOCUMENTS_ZIP_LIMITS
    if len(parts) > limits["parts"]:
        raise Refused(_("The file holds too many parts to be a document."))
    total = 0
    for part in parts:
        total += part.file_size
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > 1024 * 1024 and ratio > limits["ratio"]:
            raise Refused(_("The file unpacks to far more than its size (a zip bomb?)."))
        if total > limits["unzipped_bytes"]:
            raise Refused(_("The file unpacks to more than the portal accepts."))


def check_upload(handle, *, name: str, size: int) -> tuple[str, FileKind]:
    """(clean file name, detected kind) of an upload, or Refused: wrong kind, or content and extension differ."""
    filename = clean_filename(name)
    extension = extension_of(filename)
    if extension not in ACCEPTED_EXTENSIONS:
        raise Refused(
            _("Files ending .%(extension)s are not accepted. Accepted: %(accepted)s.")
            % {"extension": extension, "accepted": ", ".join(f".{e}" for e in ACCEPTED_EXTENSIONS)}
        )
    kind = detect(handle, size=size)
    if kind is TEXT and extension == "csv":
        kind = CSV
    if extension not in kind.extensions:
        raise Refused(
            _("The file's content is %(kind)s, which does not match its name ending .%(extension)s.")
            % {"kind": kind.name, "extension": extension}
        )
    return filename, kind
