"""CSV and Excel responses that are safe to open in a spreadsheet, written as rows are read.

Rows hold Python values: `Decimal` for money, `datetime.date` for dates, `str` for text, None for
nothing. Each format writes them its own way:

- CSV: money with two decimals and a dot (`250000.00`, never `250000` or `12345.6700000000`),
  dates as ISO dates, and text that a spreadsheet would run as a formula behind an apostrophe
  (a CSV cell has no type, so that is the only protection there is).
- XLSX: typed cells. Money is a number shown with two decimals, a date is a date, and text is
  a string cell. A string cell is never a formula, whatever it starts with, so text is written
  as it is, with no apostrophe for the reader to see.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from common.money import CENT

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def spreadsheet_safe(value) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_value(value):
    """A cell of a CSV file: money with two decimals and a dot, ISO dates, text made safe."""
    if isinstance(value, Decimal):
        return format(value.quantize(CENT), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return spreadsheet_safe(value)


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """Streams rows as they are read, so memory stays flat however many there are."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)  # BOM so spreadsheet programs read UTF-8
        for row in rows:
            yield writer.writerow([csv_value(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_cell(sheet, value) -> WriteOnlyCell:
    """A typed cell: money a number with two decimals, a date a date, text a string, never a formula."""
    cell = WriteOnlyCell(sheet)
    if value is None:
        return cell
    if isinstance(value, Decimal):
        cell.value = value.quantize(CENT)
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, datetime.datetime):
        # Excel has no time zones: an aware time is written as the portal's local time.
        cell.value = timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        cell.number_format = f"{DATE_FORMAT} hh:mm"
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, bool | int | float):
        cell.value = value
    else:
        # openpyxl takes a value starting with "=" for a formula; a string cell is shown as it is.
        cell.value = str(value)
        cell.data_type = "s"
    return cell


def _counted(rows: Iterable[Iterable], progress) -> Iterable[Iterable]:
    """`rows`, calling `progress(count)` every PROGRESS_EVERY rows and at the end."""
    count = 0
    for row in rows:
        yield row
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)


PROGRESS_EVERY = 1000


def write_csv(handle, header: list[str], rows: Iterable[Iterable], progress=None) -> None:
    """The same file as csv_response, written to a text `handle` (an export prepared by a task)."""
    writer = csv.writer(handle)
    handle.write("\ufeff")
    writer.writerow(header)
    for row in _counted(rows, progress):
        writer.writerow([csv_value(value) for value in row])


def write_xlsx(handle, sheet_title: str, header: list[str], rows: Iterable[Iterable], progress=None) -> None:
    """An Excel workbook written row by row (openpyxl's write-only mode) to a binary `handle`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:31])
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = xlsx_cell(sheet, name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in _counted(rows, progress):
        sheet.append([xlsx_cell(sheet, value) for value in row])
    workbook.save(handle)


def xlsx_response(filename: str, sheet_title: str, header: list[str], rows: Iterable[Iterable]) -> FileResponse:
    """An Excel workbook written row by row to a temporary file."""
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    write_xlsx(buffer, sheet_title, header, rows)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
