"""`returnflow network design` refuses a bad candidates file whole, naming its rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from returnflow.adapters.candidate_sites import parse_candidates
from returnflow.domain.errors import ValidationFailed
from returnflow.entrypoints.cli import app

GOOD = "code,postal_code,country,fixed_cost,capacity\nRC-PHX,85043,US,250000.00,800\n"


def test_bad_rows_reject_the_file_with_row_numbers(tmp_path: Path) -> None:
    bad = tmp_path / "candidates.csv"
    bad.write_text(
        GOOD
        + "RC-X,00000,US,1000.00,\n"  # unknown ZIP
        + "RC-Y,60601,US,lots,\n"  # bad money
        + "RC-PHX,30301,US,1.00,\n",  # duplicate code
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["network", "design", "--candidates", str(bad), "--open", "1"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "candidate file rejected: 3 bad row(s) (row 3, row 4, row 5)" in text
    assert "postal code 00000" in text and "duplicate_code" in text


def test_missing_columns_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "candidates.csv"
    bad.write_text("code,postal_code\nA,10001\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["network", "design", "--candidates", str(bad), "--open", "1"])
    assert result.exit_code == 1
    assert "missing CSV column(s): fixed_cost" in " ".join(result.output.split())


def test_good_file_parses_with_coordinates_or_postal_code() -> None:
    sites = parse_candidates(GOOD)
    assert [s.code for s in sites] == ["RC-PHX"]
    assert sites[0].fixed_cost == 25_000_000 and sites[0].capacity == 800
    with_coords = parse_candidates("code,latitude,longitude,fixed_cost_minor\nTOR,43.65,-79.38,900\n")
    assert with_coords[0].point.lat == pytest.approx(43.65) and with_coords[0].fixed_cost == 900


def test_empty_file_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="1 bad row"):
        parse_candidates("code,postal_code,fixed_cost\n")


def test_route_refuses_a_bad_date() -> None:
    result = CliRunner().invoke(app, ["route", "--date", "2026-13-01"])
    assert result.exit_code == 1
    assert "is not a date (YYYY-MM-DD)" in " ".join(result.output.split())
