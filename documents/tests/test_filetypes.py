import io

import pytest
from okfn_iati.enums import DocumentCategory

from documents import filetypes
from documents.filetypes import Refused, check_upload, clean_filename
from documents.models import Category

from .corpus import (
    ELF,
    EXECUTABLE,
    REAL,
    opendocument_bytes,
    powerpoint_bytes,
    with_macros,
    word_bytes,
    zip_bomb,
    zipped,
)
from .factories import PDF_BYTES

EXPECTED_TYPES = {
    "pdf": "application/pdf",
    "docx": filetypes.DOCX.content_type,
    "xlsx": filetypes.XLSX.content_type,
    "pptx": filetypes.PPTX.content_type,
    "odt": filetypes.ODT.content_type,
    "ods": filetypes.ODS.content_type,
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


def check(name: str, content: bytes):
    return check_upload(io.BytesIO(content), name=name, size=len(content))


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_files_are_accepted_with_the_type_read_from_their_content(name):
    filename, kind = check(name, REAL[name])
    assert filename == name
    assert kind.content_type == EXPECTED_TYPES[name.rsplit(".", 1)[1]]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("report.pdf", EXECUTABLE, "Programs and scripts"),
        ("notes.txt", ELF, "Programs and scripts"),
        ("notes.txt", b"#!/bin/sh\nrm -rf ~\n", "Programs and scripts"),
        ("agenda.docx", zip_bomb(), "zip bomb"),
        ("agenda.docx", with_macros(word_bytes()), "macros"),
        ("concept.odt", opendocument_bytes(**{"Basic/Standard/Module1.xml": b"<script/>"}), "macros"),
        ("agenda.docx", zipped({"agenda.pdf": PDF_BYTES}), "Archives"),
        ("report.pdf", b"Rar!\x1a\x07\x01\x00" + bytes(32), "Archives"),
        ("report.pdf", b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(32), "Archives"),
        ("notes.txt", b"\x1f\x8b\x08\x00" + bytes(32), "Archives"),
        ("report.docx", PDF_BYTES, "does not match its name ending .docx"),
        ("agenda.pdf", word_bytes(), "is a Word document, which does not match"),
        ("participants.xlsx", word_bytes(), "does not match"),
        ("slides.docx", powerpoint_bytes(), "does not match"),
        ("photo.jpg", REAL["photo.png"], "does not match"),
        ("notes.csv", REAL["photo.png"], "does not match"),
        ("notes.txt", b"\x00\x01\x02 binary \xff\xfe", "not accepted"),
        ("notes.txt", b"caf\xe9 in Latin-1", "not accepted"),
        ("report.pdf", b"", "empty"),
        ("agenda.docx", b"PK\x03\x04 damaged", "damaged"),
        ("archive.zip", zipped({"a.txt": b"a"}), "Files ending .zip are not accepted"),
        ("setup.exe", EXECUTABLE, "Files ending .exe are not accepted"),
        ("report", PDF_BYTES, "needs an extension"),
    ],
)
def test_disguised_and_unwanted_files_are_refused_with_a_reason(name, content, reason):
    with pytest.raises(Refused) as refused:
        check(name, content)
    assert reason in refused.value.messages[0]


def test_a_zip_with_more_parts_than_allowed_is_refused(settings):
    settings.DOCUMENTS_ZIP_LIMITS = {**settings.DOCUMENTS_ZIP_LIMITS, "parts": 3}
    content = zipped(
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", **{f"m{i}.xml": b"x" for i in range(3)}}
    )
    with pytest.raises(Refused, match="too many parts"):
        check("agenda.docx", content)


def test_a_zip_declared_to_unpack_past_the_total_limit_is_refused(settings):
    settings.DOCUMENTS_ZIP_LIMITS = {**settings.DOCUMENTS_ZIP_LIMITS, "unzipped_bytes": 10_000}
    with pytest.raises(Refused, match="more than the portal accepts"):
        check("agenda.docx", word_bytes("Word " * 10_000))


@pytest.mark.parametrize(
    "name", ["../../etc/agenda.pdf", "..\\..\\agenda.pdf", "agenda\x00.pdf", "agenda\n.pdf", "fdp.\u202eagenda.pdf"]
)
def test_file_names_with_path_separators_or_control_characters_are_refused(name):
    with pytest.raises(Refused, match="path separators or control characters"):
        clean_filename(name)


def test_file_names_are_kept_readable_and_short():
    assert clean_filename("  Повестка дня миссии.PDF ") == "Повестка дня миссии.pdf"
    assert clean_filename("...hidden.pdf") == "hidden.pdf"
    long_name = clean_filename("x" * 400 + ".docx")
    assert len(long_name) == filetypes.MAX_FILENAME and long_name.endswith(".docx")


def test_the_categories_are_the_activity_codes_of_the_iati_codelist():
    assert set(Category.values) == {member.value for member in DocumentCategory if member.value.startswith("A")}
