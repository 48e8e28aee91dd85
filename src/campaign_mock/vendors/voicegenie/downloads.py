"""The campaign report of GET /downloadCampaignStats, as CSV text or an XLSX workbook (written in memory).

One row per contact with its latest call (then one per number called without a contact record); the columns are
inferred from the page's list (contact details, call status, duration, timestamps, recording URL, custom fields):
phone_number, name, email, call_status, duration, call_time, recording_url, then one column per custom field.
A contact not called yet shows `pending`. The workbook's creation time is the mock clock's, so the same state
gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from .records import Record
from .state import VoiceGenieState

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ("phone_number", "name", "email", "call_status", "duration", "call_time", "recording_url")


def report_rows(state: VoiceGenieState, campaign: Record) -> tuple[list[str], list[list[Any]]]:
    """The header and the rows of a campaign's report."""
    latest = state.latest_calls(campaign)
    members = state.members(campaign)
    custom: list[str] = []
    for contact in members:
        custom += [k for k in contact["custom_fields"] if k not in custom and k not in COLUMNS]
    rows = []
    for contact in members:
        call = latest.get(contact["id"])
        fields = contact["custom_fields"]
        row = [contact["phone_number"], contact.get("name", ""), contact.get("email", ""), *_call_cells(call)]
        rows.append(row + [_cell(fields.get(k, "")) for k in custom])
    for key, call in latest.items():
        if key.startswith("tel:"):
            rows.append([call["phone_number"], call["contact_name"] or "", "", *_call_cells(call)] + [""] * len(custom))
    return [*COLUMNS, *custom], rows


def _call_cells(call: Record | None) -> list[Any]:
    if call is None:
        return ["pending", 0, "", ""]
    return [call["status"], call["duration"], call["started_at"] or "", call["recording_url"] or ""]


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(header: list[str], rows: list[list[Any]], created: datetime) -> bytes:
    import xlsxwriter  # here, not at the top: an XLSX download is rare, and the import slows start-up

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": "Campaign report", "author": "VoiceGenie", "created": created.replace(tzinfo=None)})
    sheet = book.add_worksheet("Report")
    bold = book.add_format({"bold": True})
    for column, name in enumerate(header):
        sheet.write_string(0, column, name, bold)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(row_number, column, value)
            elif value != "":  # an empty value is an empty cell
                sheet.write_string(row_number, column, str(value))
    book.close()
    return out.getvalue()
