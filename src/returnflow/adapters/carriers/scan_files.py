"""Carrier scan files for bulk import: CSV or JSON Lines of generic-format tracking events.

CSV has a header row naming the columns `event_id,tracking_number,status,occurred_at,location,carrier`
(the last two may be left out or empty; extra columns are ignored). JSONL has one generic-format
object per line. Every bad row is reported with its row (CSV, header = row 1) or line (JSONL)
number, and a file with any bad row is rejected whole. Events carry provider `generic`, so a scan
imported from a file and the same scan sent by webhook share one de-duplication key.

`iter_scan_chunks` reads a file of any size in bounded memory; a caller that imports chunk by chunk
must do so inside one transaction and roll back when a later chunk reports a problem.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from returnflow.adapters.carriers.generic import PROVIDER, event_from_record
from returnflow.domain.errors import FieldProblem, ValidationFailed
from returnflow.domain.tracking import CarrierEvent

ScanFormat = Literal["csv", "jsonl"]
CSV_COLUMNS = ("event_id", "tracking_number", "status", "occurred_at", "location", "carrier")
REQUIRED_COLUMNS = CSV_COLUMNS[:4]
SUFFIXES: dict[str, ScanFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
CHUNK_SIZE = 10_000


@dataclass(frozen=True)
class ScanChunk:
    """Up to a chunk's worth of rows: the events read and the problems found in them."""

    events: list[CarrierEvent]
    problems: list[FieldProblem]
    rows: int


@dataclass(frozen=True)
class ScanFile:
    """A whole scan file: its events, or — when any row is bad — no events and every problem."""

    events: tuple[CarrierEvent, ...] = ()
    problems: tuple[FieldProblem, ...] = ()
    rows: int = 0

    @property
    def accepted(self) -> bool:
        """Whether the file may be imported (no row had a problem)."""
        return not self.problems

    def raise_if_rejected(self) -> None:
        """Raise ValidationFailed listing every problem when the file is rejected."""
        if self.problems:
            raise ValidationFailed(
                f"{len(self.problems)} problem(s) in the scan file; nothing was imported",
                code="import_rejected",
                problems=list(self.problems),
            )


def format_of(path: Path) -> ScanFormat:
    """The scan format a file name implies (.csv, .jsonl or .ndjson)."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ValidationFailed(
            f"unsupported scan file type {path.suffix!r}: use .csv or .jsonl", code="unsupported_file"
        )
    return fmt


def read_scans(source: Path | str, fmt: ScanFormat | None = None, chunk_size: int = CHUNK_SIZE) -> ScanFile:
    """Read a scan file (a Path) or a file's text (a str) whole; see ScanFile for the outcome."""
    if isinstance(source, Path):
        fmt = fmt or format_of(source)
        with source.open(encoding="utf-8-sig", newline="") as lines:
            return _collect(iter_scan_chunks(lines, fmt, chunk_size))
    if fmt is None:
        raise ValueError("the format (csv or jsonl) is required when reading text rather than a file")
    return _collect(iter_scan_chunks(io.StringIO(source.removeprefix("\ufeff"), newline=""), fmt, chunk_size))


def iter_scan_chunks(
    lines: Iterable[str], fmt: ScanFormat, chunk_size: int = CHUNK_SIZE
) -> Iterator[ScanChunk]:
    """The file's rows in chunks of `chunk_size`, each with its events and problems."""
    if fmt == "csv":
        return _csv_chunks(lines, chunk_size)
    if fmt == "jsonl":
        return _jsonl_chunks(lines, chunk_size)
    raise ValueError(f"unknown scan format {fmt!r}: use csv or jsonl")


def _collect(chunks: Iterable[ScanChunk]) -> ScanFile:
    events: list[CarrierEvent] = []
    problems: list[FieldProblem] = []
    rows = 0
    for chunk in chunks:
        rows += chunk.rows
        problems.extend(chunk.problems)
        # Once the file is known to be rejected there is no point holding on to its events.
        if problems:
            events.clear()
        else:
            events.extend(chunk.events)
    return ScanFile(tuple(events), tuple(problems), rows)


def _csv_chunks(lines: Iterable[str], chunk_size: int) -> Iterator[ScanChunk]:
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        yield ScanChunk([], [FieldProblem("row 1", "missing_header", "the file is empty")], 0)
        return
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        message = f"missing column(s): {', '.join(missing)}"
        yield ScanChunk([], [FieldProblem("row 1", "missing_columns", message)], 0)
        return
    # Position of each known column; rows are read by index, which is much faster than DictReader.
    columns = [(name, names.index(name)) for name in CSV_COLUMNS if name in names]
    width = len(names)
    events: list[CarrierEvent] = []
    problems: list[FieldProblem] = []
    count = 0
    for number, row in enumerate(reader, start=2):
        if not row:
            continue  # a blank line
        count += 1
        if len(row) > width:
            problems.append(
                FieldProblem(f"row {number}", "too_many_fields", f"{len(row)} fields for {width} columns")
            )
        else:
            record = {name: row[i] if i < len(row) else "" for name, i in columns}
            event = event_from_record(record, problems, f"row {number}: ", PROVIDER)
            if event is not None:
                events.append(event)
        if count == chunk_size:
            yield ScanChunk(events, problems, count)
            events, problems, count = [], [], 0
    if count:
        yield ScanChunk(events, problems, count)


def _jsonl_chunks(lines: Iterable[str], chunk_size: int) -> Iterator[ScanChunk]:
    events: list[CarrierEvent] = []
    problems: list[FieldProblem] = []
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(FieldProblem(f"line {number}", "malformed_json", f"not valid JSON: {err.msg}"))
        else:
            if isinstance(record, dict):
                event = event_from_record(record, problems, f"line {number}: ", PROVIDER)
                if event is not None:
                    events.append(event)
            else:
                problems.append(FieldProblem(f"line {number}", "wrong_type", "expected a JSON object"))
        if count == chunk_size:
            yield ScanChunk(events, problems, count)
            events, problems, count = [], [], 0
    if count:
        yield ScanChunk(events, problems, count)
