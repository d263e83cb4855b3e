"""What the workstation's scan field and forms mean, without a browser or a database."""

from __future__ import annotations

from starlette.datastructures import FormData

from returnflow.domain.inspection import Checklist, Question
from returnflow.entrypoints.web.inventory_chart import bucket_chart, units_per_bucket
from returnflow.entrypoints.web.workstation_forms import (
    Command,
    Entered,
    answers_of,
    inspection_input,
    read_command,
    read_count,
    read_entered,
    received_lines,
)

CHECKLIST = Checklist(
    "electronics",
    (
        Question("powers_on", "Powers on", fail_grade="D"),
        Question("battery", "Battery health", kind="measurement", unit="%", minimum=80, maximum=100),
    ),
)


def test_scan_field_commands() -> None:
    assert read_command("").kind == "submit"
    assert [read_command(k).value for k in ("1", "2", "3", "4", "5")] == ["A", "B", "C", "D", "F"]
    assert read_command(" b ").value == "B"
    assert read_command("p").kind == "pass_all" and read_command("PASS").kind == "pass_all"
    assert read_command("E").kind == "bad_grade"
    assert read_command("SN-0001") == Command("serial", "SN-0001")


def test_the_inspection_form_becomes_the_service_input() -> None:
    form = FormData([("q_powers_on", "fail"), ("q_battery", "91,5"), ("grade", "d"), ("weight_grams", "410")])
    entered = read_entered(form, CHECKLIST)
    answers, problems = answers_of(entered, CHECKLIST)
    assert answers == {"powers_on": False, "battery": 91.5} and problems == []
    data, problems = inspection_input(entered, answers)
    assert problems == [] and data is not None
    assert (data.grade, data.weight_grams, data.checklist) == ("D", 410, answers)


def test_open_checks_pass_and_bad_numbers_are_problems() -> None:
    entered = Entered(answers={"battery": "lots"}).passing_open_checks(CHECKLIST)
    assert entered.answers == {"battery": "lots", "powers_on": "pass"}
    answers, problems = answers_of(entered, CHECKLIST)
    assert answers == {"powers_on": True}
    assert [p.field for p in problems] == ["answers.battery"]
    _, problems = inspection_input(Entered(weight="4.5kg"), {})
    assert {p.field for p in problems} == {"weight_grams", "grade"}


def test_a_count_names_short_later_and_wrong_items() -> None:
    form = FormData(
        [
            ("kind_l1", "counted"),
            ("qty_l1", "1"),
            ("kind_l2", "later"),
            ("kind_l3", "wrong"),
            ("qty_l3", "1"),
            ("sku_l3", "OTHER-1"),
        ]
    )
    lines, problems = received_lines(read_count(form, ["l1", "l2", "l3"]), "EXTRA-9", "2")
    assert problems == []
    assert [(ln.return_line_id, ln.sku, ln.quantity) for ln in lines] == [
        ("l1", None, 1),
        ("l3", "OTHER-1", 1),
        (None, "EXTRA-9", 2),
    ]
    _, problems = received_lines(
        read_count(FormData([("kind_l1", "wrong"), ("qty_l1", "1")]), ["l1"]), "", ""
    )
    assert [p.field for p in problems] == ["sku_l1"]


def test_bucket_chart_has_every_bucket_in_ledger_order() -> None:
    rows = [{"buckets": {"sellable": 3, "quarantine": 1}}, {"buckets": {"sellable": 1}}]
    chart = bucket_chart(units_per_bucket(rows))
    assert [b.status for b in chart.bars][:2] == ["sellable", "open_box"] and len(chart.bars) == 7
    widths = {b.status: b.width for b in chart.bars}
    assert widths["sellable"] == 280 and widths["quarantine"] == 70 and widths["open_box"] == 0
    assert chart.total == 5
