"""Bulk scan import: CSV and JSONL read whole or rejected whole, every bad row named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from returnflow.adapters.carriers.scan_files import format_of, iter_scan_chunks, read_scans
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.tracking import TrackingStatus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers"
HEADER = "event_id,tracking_number,status,occurred_at,location,carrier\n"


def csv_text(*rows: str, header: str = HEADER) -> str:
    return header + "".join(r + "\n" for r in rows)


def good_row(n: int, status: str = "in_transit") -> str:
    return f'scan-{n},1Z999AA10123456784,{status},2025-03-12T02:{n % 60:02d}:00Z,"Dallas, TX",ups'


def test_the_csv_fixture_is_read_whole() -> None:
    scans = read_scans(FIXTURES / "scans.csv")
    assert scans.accepted
    assert scans.rows == 8
    assert [e.status for e in scans.events] == [
        TrackingStatus.PICKED_UP,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.OUT_FOR_DELIVERY,
        TrackingStatus.DELIVERED,
        TrackingStatus.LABEL_CREATED,
        TrackingStatus.IN_TRANSIT,
        TrackingStatus.EXCEPTION,
        TrackingStatus.RETURNED_TO_SENDER,
    ]
    delivered = scans.events[3]
    assert delivered.event_id == "dock-2025-03-14-0004"
    assert delivered.occurred_at == datetime(2025, 3, 13, 20, 2, tzinfo=UTC)  # 16:02-04:00
    assert delivered.location == "Louisville, KY 40213"
    assert (delivered.provider, delivered.carrier) == ("generic", "ups")
    label = scans.events[4]
    assert label.tracking_number == "9400111899223197428490"
    assert label.location is None


def test_the_jsonl_fixture_reads_to_the_same_events_as_the_csv() -> None:
    assert read_scans(FIXTURES / "scans.jsonl").events == read_scans(FIXTURES / "scans.csv").events


def test_every_bad_row_is_named_and_the_file_is_rejected_whole() -> None:
    text = csv_text(
        good_row(1),
        "scan-2,1Z999AA10123456784,teleported,2025-03-12T02:40:00Z,,ups",
        "scan-3,1Z999AA10123456784,in_transit,12/03/2025 02:40,,ups",
        good_row(4),
        "scan-5,1Z999AA10123456784,delivered,2025-03-12T02:40:00,,ups",
        "scan-6,,delivered,2025-03-12T02:40:00Z,,ups",
        ",1Z999AA10123456784,,2025-03-12T02:40:00Z",
    )
    scans = read_scans(text, "csv")
    assert not scans.accepted
    assert scans.events == ()
    assert scans.rows == 7
    assert [(p.field, p.code) for p in scans.problems] == [
        ("row 3: status", "unknown_status"),
        ("row 4: occurred_at", "bad_timestamp"),
        ("row 6: occurred_at", "naive_timestamp"),
        ("row 7: tracking_number", "missing_field"),
        ("row 8: event_id", "missing_field"),
        ("row 8: status", "missing_field"),
    ]
    with pytest.raises(ValidationFailed) as err:
        scans.raise_if_rejected()
    assert err.value.code == "import_rejected"
    assert len(err.value.problems) == 6


def test_an_accepted_file_does_not_raise() -> None:
    read_scans(csv_text(good_row(1)), "csv").raise_if_rejected()


def test_jsonl_problems_are_named_by_line() -> None:
    good = json.dumps(
        {
            "event_id": "a",
            "tracking_number": "1Z9",
            "status": "delivered",
            "occurred_at": "2025-03-12T02:40:00Z",
        }
    )
    text = "\n".join(
        [
            good,
            "",
            '{"event_id": "b", "tracking_number": "1Z9", "status": "delivered"',
            "[1, 2]",
            json.dumps({"event_id": "c", "tracking_number": "1Z9", "status": "Delivered", "occurred_at": 17}),
        ]
    )
    scans = read_scans(text, "jsonl")
    assert scans.rows == 4
    assert [(p.field, p.code) for p in scans.problems] == [
        ("line 3", "malformed_json"),
        ("line 4", "wrong_type"),
        ("line 5: occurred_at", "wrong_type"),
    ]


def test_a_file_missing_a_required_column_is_refused_at_the_header() -> None:
    scans = read_scans(csv_text(good_row(1), header="event_id,tracking_number,occurred_at\n"), "csv")
    assert [(p.field, p.code, p.message) for p in scans.problems] == [
        ("row 1", "missing_columns", "missing column(s): status")
    ]


def test_optional_columns_may_be_left_out_and_extra_ones_are_ignored() -> None:
    text = "Status,event_id,occurred_at,tracking_number,note\ndelivered,e1,2025-03-12T02:40:00Z,1z9 99,hi\n"
    (event,) = read_scans(text, "csv").events
    assert (event.event_id, event.status, event.tracking_number, event.location, event.carrier) == (
        "e1",
        TrackingStatus.DELIVERED,
        "1Z999",
        None,
        None,
    )


def test_a_row_with_more_fields_than_columns_is_a_problem() -> None:
    scans = read_scans(csv_text(good_row(1) + ",surplus"), "csv")
    assert [(p.field, p.code) for p in scans.problems] == [("row 2", "too_many_fields")]


def test_an_empty_file_is_a_problem() -> None:
    assert [p.code for p in read_scans("", "csv").problems] == ["missing_header"]


def test_a_byte_order_mark_and_blank_lines_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "scans.csv"
    path.write_text("\ufeff" + csv_text(good_row(1), "", good_row(2)), encoding="utf-8")
    scans = read_scans(path)
    assert [e.event_id for e in scans.events] == ["scan-1", "scan-2"]


def test_chunks_cover_the_file_in_bounded_pieces() -> None:
    text = csv_text(*(good_row(n) for n in range(1, 8)), "bad,1Z9,nowhere,2025-03-12T02:40:00Z,,")
    with_problems = list(iter_scan_chunks(text.splitlines(keepends=True), "csv", chunk_size=3))
    assert [c.rows for c in with_problems] == [3, 3, 2]
    assert [len(c.events) for c in with_problems] == [3, 3, 1]
    assert [p.field for p in with_problems[-1].problems] == ["row 9: status"]


@pytest.mark.parametrize(("name", "fmt"), [("a.csv", "csv"), ("a.JSONL", "jsonl"), ("a.ndjson", "jsonl")])
def test_format_of_a_file_name(name: str, fmt: str) -> None:
    assert format_of(Path(name)) == fmt


def test_an_unknown_file_type_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        read_scans(Path("scans.xlsx"))
    assert err.value.code == "unsupported_file"


def test_text_needs_its_format() -> None:
    with pytest.raises(ValueError, match="format"):
        read_scans(csv_text(good_row(1)))
