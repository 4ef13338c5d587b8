"""The spreadsheet writers: CSV amounts with two decimals and a dot, XLSX cells typed."""

import csv
import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from common.spreadsheets import csv_response, xlsx_response

ROW = ["=HYPERLINK(1)", Decimal("12345.6700000000"), Decimal("250000"), datetime.date(2025, 3, 31), None, 7]
HEADER = ["text", "amount", "round", "date", "nothing", "count"]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_csv_writes_amounts_with_two_decimals_iso_dates_and_protects_formulas():
    text = body(csv_response("x.csv", HEADER, [ROW])).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row == {
        "text": "'=HYPERLINK(1)", "amount": "12345.67", "round": "250000.00", "date": "2025-03-31", "nothing": "",
        "count": "7",
    }  # fmt: skip


def test_xlsx_cells_are_numbers_dates_and_plain_strings():
    sheet = load_workbook(io.BytesIO(body(xlsx_response("x.xlsx", "Sheet", HEADER, [ROW])))).worksheets[0]
    text, amount, round_amount, date, nothing, count = sheet[2]
    assert (text.data_type, text.value, text.quotePrefix) == ("s", "=HYPERLINK(1)", False)
    assert (amount.data_type, amount.value, amount.number_format) == ("n", 12345.67, "#,##0.00")
    assert (round_amount.data_type, round_amount.value) == ("n", 250000)
    assert date.is_date and date.value == datetime.datetime(2025, 3, 31) and date.number_format == "yyyy-mm-dd"
    assert nothing.value is None and (count.data_type, count.value) == ("n", 7)
    assert [cell.value for cell in sheet[1]] == HEADER and sheet["A1"].font.bold
