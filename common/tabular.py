"""Spreadsheets coming in: read an uploaded CSV or XLSX file into rows, and keep it until confirmed.

`read_table()` turns a file into a header and one dict per row (lower-case column names,
text values with surrounding spaces stripped). Anything it cannot read becomes a
ValidationError with a message an official can act on, never a server error.

`ImportPreview` is what an importer answers: for every row, its line in the file and what
the import does with it (create, update, unchanged or refused, with every reason).

The uploaded file waits under MEDIA_ROOT/imports/ between the preview and the confirmation;
the user's session holds its uuid, so only the person who uploaded it can confirm it.
"""

import csv
import datetime
import io
import re
import uuid
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.money import UnreadableAmount, read_amount

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
EXTENSIONS = ("csv", "xlsx")
ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORTS_DIR = "imports"
SESSION_KEY = "spreadsheet_imports"


# Reading ---------------------------------------------------------------------------------------


@dataclass
class Table:
    """A sheet: `rows[i]` is line i + 2 of the file (line 1 is the header). Blank rows in the
    middle are kept, as dicts of empty strings, so that line numbers match the spreadsheet."""

    header: list[str]
    rows: list[dict[str, str]]


def normalise_header(name) -> str:
    """ "Project code " → "project_code"."""
    text = str(name if name is not None else "").replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def file_extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def _unreadable() -> ValidationError:
    return ValidationError(
        _("The file could not be read. Upload a CSV or XLSX spreadsheet; if it is one, it may be damaged."),
        code="unreadable",
    )


def read_table(upload, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """Reads an uploaded (or stored) file; raises ValidationError with a plain message if it cannot."""
    extension = file_extension(getattr(upload, "name", ""))
    if extension == "xls":
        raise ValidationError(
            _("Old Excel files (.xls) cannot be read. Save the file as .xlsx or as CSV and upload it again."),
            code="extension",
        )
    if extension not in EXTENSIONS:
        raise ValidationError(_("Upload a CSV or XLSX file (the name must end in .csv or .xlsx)."), code="extension")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    if not data.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    if data.startswith(b"PK\x03\x04"):  # a zip container: an XLSX workbook, whatever its name says
        lines = _xlsx_lines(data)
    elif extension == "xlsx":
        raise _unreadable()
    else:
        lines = _csv_lines(data)
    return _table(lines, max_rows=max_rows)


def _too_big(max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The file is larger than %(size)s MB. Split it into smaller files.") % {"size": max_bytes // (1024 * 1024)},
        code="too_big",
    )


def _csv_lines(data: bytes):
    if b"\x00" in data[:8192]:
        raise _unreadable()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "The file is not saved as UTF-8 text. In your spreadsheet program choose "
                "“Save as” → “CSV UTF-8” and upload it again."
            ),
            code="encoding",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        yield from reader
    except csv.Error:
        raise _unreadable() from None


def _delimiter(text: str) -> str:
    """Comma or semicolon: the header line decides when it is clear, else csv.Sniffer."""
    header = text.split("\n", 1)[0]
    commas, semicolons = header.count(","), header.count(";")
    if commas and not semicolons:
        return ","
    if semicolons and not commas:
        return ";"
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample.rsplit("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        return ";" if semicolons > commas else ","


def _xlsx_lines(data: bytes):
    import openpyxl  # imported here: only XLSX uploads pay for it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of error on a broken file; all mean "unreadable"
        raise _unreadable() from None
    try:
        if not workbook.worksheets:
            raise _unreadable()
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [cell_text(value) for value in values]
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - as above, while reading the sheet's rows
        raise _unreadable() from None
    finally:
        workbook.close()


def cell_text(value) -> str:
    """An XLSX cell as text: dates as ISO dates, numbers as plain decimals (1000, 0.5), yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # 15 significant digits, as the spreadsheet shows it: 0.1 + 0.2 is 0.3, not 0.30000000000000004.
        return _plain(Decimal(format(value, ".15g")))
    if isinstance(value, Decimal):
        return _plain(value)
    return str(value).strip()


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _cell(cells, index: int) -> str:
    if index >= len(cells) or cells[index] is None:
        return ""
    return str(cells[index]).strip()


def _table(lines, *, max_rows: int) -> Table:
    iterator = iter(lines)
    header_cells = next(iterator, None)
    if header_cells is None:
        raise ValidationError(_("The file is empty."), code="empty")
    header = [normalise_header(cell) for cell in header_cells]
    named = [(index, name) for index, name in enumerate(header) if name]
    if not named:
        raise ValidationError(_("The first row must name the columns, but it is empty."), code="no_header")
    seen: set[str] = set()
    for _index, name in named:
        if name in seen:
            raise ValidationError(
                _("The column “%(column)s” appears twice in the first row.") % {"column": name}, code="duplicate_column"
            )
        seen.add(name)
    rows: list[dict[str, str]] = []
    filled = 0
    blank_run = 0  # blank rows are kept only when a filled row follows them
    for cells in iterator:
        row = {name: _cell(cells, index) for index, name in named}
        if not any(row.values()):
            blank_run += 1
            continue
        rows.extend(dict.fromkeys(row, "") for _blank in range(blank_run))
        blank_run = 0
        rows.append(row)
        filled += 1
        if filled > max_rows:
            raise ValidationError(
                _("The file has more than %(limit)s rows. Split it into smaller files.") % {"limit": f"{max_rows:,}"},
                code="too_many_rows",
            )
    return Table(header=[name for _index, name in named], rows=rows)


# Values ----------------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


def parse_date(text: str) -> datetime.date:
    """2025-03-31, 31.03.2025 or 31/03/2025 (day first, as in Europe); ValueError otherwise."""
    text = text.strip()
    if " " in text or "T" in text:  # a date with a midnight time, as some programs write it
        text = re.split(r"[ T]", text, maxsplit=1)[0]
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_amount(text: str) -> Decimal:
    """1234.56, 1 234,56, 1,234.56 or 1.234,56; ValueError for anything else (or an ambiguous 1,234).

    A file has no language to settle "1,234" (1234 or 1.234?), so it is refused, never guessed.
    """
    try:
        reading = read_amount(text, mark=None)
    except UnreadableAmount:
        raise ValueError(text) from None
    if reading.ambiguous:
        raise ValueError(text)
    return reading.amount


_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def parse_yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(text)


def split_list(text: str, pattern: str = r"[;,\s]+") -> list[str]:
    """The distinct items of a cell, in their order: "GE; AM" → ["GE", "AM"]."""
    items = [item.strip() for item in re.split(pattern, text) if item.strip()]
    return list(dict.fromkeys(items))


# Previews --------------------------------------------------------------------------------------


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


ACTION_LABELS = {
    Action.CREATE: gettext_lazy("Create"),
    Action.UPDATE: gettext_lazy("Update"),
    Action.UNCHANGED: gettext_lazy("Unchanged"),
    Action.REFUSED: gettext_lazy("Refused"),
}


@dataclass
class ImportRow:
    """One row of the file and what the import does with it."""

    line: int
    label: str = ""
    kind: str = ""
    action: Action = Action.CREATE
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # column → (now, after the import)
    reasons: list[str] = field(default_factory=list)

    def refuse(self, reason: str, column: str | None = None) -> None:
        if column:
            reason = _("%(column)s: %(problem)s") % {"column": column, "problem": reason}
        self.reasons.append(reason)
        self.action = Action.REFUSED

    @property
    def refused(self) -> bool:
        return bool(self.reasons)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    imported: bool = False

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count(Action.CREATE)

    @property
    def updated(self) -> int:
        return self.count(Action.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(Action.UNCHANGED)

    @property
    def refused(self) -> int:
        return self.count(Action.REFUSED)

    @property
    def can_import(self) -> bool:
        """Something to import and nothing refused."""
        return bool(self.rows) and not self.refused

    def summary(self) -> str:
        return _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def preview_to_json(preview: ImportPreview) -> dict:
    """The preview as stored on an import job (common.models.ImportJob.result)."""
    return asdict(preview)


def preview_from_json(stored: dict) -> ImportPreview:
    rows = [ImportRow(**{**row, "action": Action(row["action"])}) for row in stored.get("rows", [])]
    return ImportPreview(**{**stored, "rows": rows})


def columns_of(rows: list[dict]) -> list[str]:
    return list(rows[0]) if rows else []


def is_blank(row: dict) -> bool:
    return not any(row.values())


# Uploads waiting for confirmation --------------------------------------------------------------


@dataclass(frozen=True)
class PendingUpload:
    token: str
    kind: str
    name: str  # the stored file, relative to MEDIA_ROOT
    filename: str  # as the user called it


def keep_upload(request, *, kind: str, upload) -> PendingUpload:
    """Stores the file as imports/<uuid>.<ext> and remembers the uuid in the session.

    A user has at most one upload waiting per kind: a new one replaces the previous."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    for token, entry in list(pending.items()):
        if entry.get("kind") == kind:
            default_storage.delete(entry["name"])
            del pending[token]
    token = str(uuid.uuid4())
    upload.seek(0)
    name = default_storage.save(f"{IMPORTS_DIR}/{token}.{file_extension(upload.name)}", ContentFile(upload.read()))
    pending[token] = {"kind": kind, "name": name, "filename": PurePath(upload.name).name}
    request.session[SESSION_KEY] = pending
    return PendingUpload(token=token, kind=kind, name=name, filename=pending[token]["filename"])


def pending_upload(request, *, kind: str, token: str | None) -> PendingUpload:
    """The user's waiting upload `token` of this kind; 404 if the session does not hold it."""
    entry = request.session.get(SESSION_KEY, {}).get(str(token or ""))
    if not entry or entry.get("kind") != kind:
        raise Http404("No such upload.")
    upload = PendingUpload(token=str(token), kind=kind, name=entry["name"], filename=entry["filename"])
    if not default_storage.exists(upload.name):
        discard_upload(request, upload)
        raise Http404("The upload is gone.")
    return upload


def read_pending(upload: PendingUpload) -> Table:
    with default_storage.open(upload.name, "rb") as stored:
        return read_table(stored)


def read_stored(name: str) -> Table:
    """The table of a file stored under MEDIA_ROOT (an import job's upload)."""
    with default_storage.open(name, "rb") as stored:
        return read_table(stored)


def release_upload(request, upload: PendingUpload) -> None:
    """Forgets the upload in the session, keeping its file: an import job has taken it over."""
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending.pop(upload.token, None)
    request.session[SESSION_KEY] = pending


def discard_upload(request, upload: PendingUpload) -> None:
    default_storage.delete(upload.name)
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending.pop(upload.token, None)
    request.session[SESSION_KEY] = pending
