"""Reading the spreadsheets VoiceGenie accepts as uploads: CSV text or an XLSX workbook (its first sheet).

The pages say contacts, batch calls and exclusions come as CSV or Excel files; the mock reads CSV with the standard
library and XLSX with openpyxl. Old binary `.xls` files are not read. Every failure is `SheetError`.
"""

from __future__ import annotations

import csv
import io

_MAX_CELLS = 5_000_000


class SheetError(ValueError):
    """The file is neither CSV text nor a readable XLSX workbook."""


def read_table(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The header row (stripped) and one dict per data row (blank rows left out), from CSV or XLSX bytes."""
    rows = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return [], []
    header = [cell.strip() for cell in rows[0]]
    table = []
    for row in rows[1:]:
        cells = row + [""] * (len(header) - len(row))
        table.append({name: cells[i].strip() for i, name in enumerate(header) if name})
    return header, table


def _csv_rows(data: bytes) -> list[list[str]]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError("an old Excel (.xls) workbook: save it as .xlsx or .csv")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "\x00" in text:
        raise SheetError("binary data, not CSV text")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise SheetError(f"not CSV: {exc}") from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text, read with openpyxl (streaming, values rather than formulas)."""
    import openpyxl  # here, not at the top: it is a fifth of the server's start-up, and few requests upload XLSX

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file; all of them mean "not readable"
        raise SheetError(f"not a readable XLSX workbook: {exc}") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise SheetError("the workbook has no sheet")
        rows: list[list[str]] = []
        cells = 0
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
            if cells > _MAX_CELLS:
                raise SheetError("the workbook has too many cells")
            rows.append([_cell_text(value) for value in row])
        return rows
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # whole numbers (a phone number typed as a number) read back without ".0"
    return str(value)
