"""VoiceGenie's rules without HTTP: the spreadsheet reader, the report writer, time and phone helpers, the calling
window, and the dialer's outcomes."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from campaign_mock.engine.chance import Chance
from campaign_mock.vendors.voicegenie.calls import LENGTHS, Window, plan, retry_interval
from campaign_mock.vendors.voicegenie.downloads import to_csv, to_xlsx
from campaign_mock.vendors.voicegenie.records import EARLIEST, user_instant, valid_call_phone, valid_phone
from campaign_mock.vendors.voicegenie.sheets import SheetError, read_table


def test_read_table_reads_csv_with_a_bom_and_blank_rows() -> None:
    header, rows = read_table(b"\xef\xbb\xbfphone_number, name\n+15550100,Ana\n\n,,\n+15550101\n")

    assert header == ["phone_number", "name"]
    assert rows == [{"phone_number": "+15550100", "name": "Ana"}, {"phone_number": "+15550101", "name": ""}]


def test_read_table_reads_the_first_sheet_of_a_workbook() -> None:
    data = to_xlsx(["phone_number", "name"], [["+15550100", "Ana"], [15550101, "Bo"]], datetime(2025, 1, 1))

    assert read_table(data) == (
        ["phone_number", "name"],
        [{"phone_number": "+15550100", "name": "Ana"}, {"phone_number": "15550101", "name": "Bo"}],
    )


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04not a zip", b"\xd0\xcf\x11\xe0old excel", b"a,b\x00\n", b"PK\x03\x04" + b"\x00" * 30],
)
def test_read_table_refuses_what_it_cannot_read(data: bytes) -> None:
    with pytest.raises(SheetError):
        read_table(data)


def test_read_table_refuses_a_zip_without_a_sheet() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")

    with pytest.raises(SheetError):
        read_table(out.getvalue())


def test_reports_are_the_same_bytes_for_the_same_rows() -> None:
    rows: list[list[object]] = [["+15550100", "Ana", "", "answered", 42, "2025-01-01T09:00:00Z", ""]]
    header = ["phone_number", "name", "email", "call_status", "duration", "call_time", "recording_url"]
    moment = datetime(2025, 1, 1, 9)

    assert to_xlsx(header, rows, moment) == to_xlsx(header, rows, moment)
    assert to_csv(header, rows).decode() == (
        "phone_number,name,email,call_status,duration,call_time,recording_url\r\n"
        "+15550100,Ana,,answered,42,2025-01-01T09:00:00Z,\r\n"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(header, rows, moment))).active
    assert sheet is not None and [c.value for c in sheet[2]] == [
        "+15550100",
        "Ana",
        None,
        "answered",
        42,
        "2025-01-01T09:00:00Z",
        None,
    ]


@pytest.mark.parametrize(
    ("number", "valid", "call_valid"),
    [
        ("+919876543210", True, False),
        ("919876543210", True, True),
        ("+15550100", True, False),
        ("+0987654321", False, False),
        ("12345", False, False),
        ("+1234567890123456", False, False),
        ("+1 555 0100", False, False),
    ],
)
def test_phone_rules(number: str, valid: bool, call_valid: bool) -> None:
    assert (valid_phone(number), valid_call_phone(number)) == (valid, call_valid)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2025-01-16T10:30:00.000Z", "2025-01-16T10:30:00Z"),
        ("2025-01-16T16:00:00+05:30", "2025-01-16T10:30:00Z"),
        ("2025-01-16T10:30:00.123456789Z", "2025-01-16T10:30:00Z"),
        ("0001-01-01T00:00:00Z", "1000-01-01T00:00:00Z"),
    ],
)
def test_user_instants_are_stored_canonical_and_in_range(given: str, stored: str) -> None:
    assert user_instant(given) == stored
    assert datetime(1000, 1, 1, tzinfo=UTC).timestamp() == EARLIEST


def test_window_opens_at_its_start_in_its_time_zone() -> None:
    window = Window(ZoneInfo("Asia/Calcutta"), 9 * 60, 18 * 60)  # 03:30-12:30 UTC
    inside = datetime(2025, 3, 3, 5, tzinfo=UTC).timestamp()
    evening = datetime(2025, 3, 3, 13, tzinfo=UTC).timestamp()

    assert window.next_open(inside) == inside
    assert window.next_open(evening) == datetime(2025, 3, 4, 3, 30, tzinfo=UTC).timestamp()


def test_overnight_window_spans_midnight() -> None:
    window = Window(ZoneInfo("UTC"), 22 * 60, 6 * 60)
    noon = datetime(2025, 3, 3, 12, tzinfo=UTC).timestamp()
    night = datetime(2025, 3, 3, 23, tzinfo=UTC).timestamp()

    assert window.next_open(noon) == datetime(2025, 3, 3, 22, tzinfo=UTC).timestamp()
    assert window.next_open(night) == night


def test_plan_is_keyed_by_identity_and_stays_in_the_documented_lengths() -> None:
    chance = Chance(3)
    outcomes = [plan(chance, "camp", f"contact_{i}", 1) for i in range(500)]

    assert outcomes == [plan(Chance(3), "camp", f"contact_{i}", 1) for i in range(500)]
    assert all(LENGTHS[o][0] <= length <= LENGTHS[o][1] for o, length in outcomes)
    shares = {o: sum(1 for x, _ in outcomes if x == o) / 500 for o in LENGTHS}
    assert 0.35 < shares["answered"] < 0.55 and 0.03 < shares["failed"] < 0.14


def test_retry_interval_repeats_the_last_and_defaults_to_an_hour() -> None:
    assert [retry_interval([600, 1200], n) for n in range(3)] == [600, 1200, 1200]
    assert retry_interval([], 0) == 3600
