"""Demo data generator: realistic shapes, planted patterns, invariants the services rely on, determinism."""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from returnflow.demo import (
    REASONS,
    ZIP_CODES,
    Season,
    generate_catalog,
    generate_customers,
    generate_nodes,
    generate_season,
    max_catalog_size,
)

Body = dict[str, Any]

SEED = 20251001
START = datetime(2025, 10, 1, tzinfo=UTC)  # 90 days: covers Black Friday 2025 (Nov 28)
FIVE = ("apparel", "footwear", "electronics", "home", "beauty")
BANDS = {
    "apparel": (0.25, 0.30),
    "footwear": (0.17, 0.23),
    "electronics": (0.08, 0.10),
    "home": (0.08, 0.12),
    "beauty": (0.04, 0.06),
}
NODE_KINDS = {
    "warehouse",
    "return_center",
    "store",
    "drop_off",
    "refurbisher",
    "recycler",
    "liquidator",
    "vendor",
}
CAPABILITIES = {
    "receive",
    "inspect",
    "restock",
    "refurbish",
    "repair",
    "hazmat",
    "recycle",
    "liquidate",
    "donate",
    "dispose",
}
HAZMAT = {None, "lithium_ion", "lithium_metal", "aerosol", "flammable_liquid"}
PRODUCT_KEYS = {
    "sku",
    "name",
    "category",
    "brand",
    "unit_cost",
    "weight_grams",
    "hazmat_class",
    "serialized",
    "returnable",
    "warranty_months",
    "tags",
    "list_price",
}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ts(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == timedelta(0), text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", text), text  # RFC 3339, with offset
    return moment


@pytest.fixture(scope="module")
def world() -> tuple[list[Body], list[Body], Season]:
    rng = random.Random(SEED)
    catalog = generate_catalog(rng)
    customers = generate_customers(rng)
    return catalog, customers, generate_season(rng, catalog, customers, START)


def _check_season(season: Season, catalog: list[Body]) -> None:
    """Everything the services will insist on: valid references, quantities, timestamps, money."""
    products = {p["sku"]: p for p in catalog}
    numbers = [o["number"] for o in season.orders]
    assert len(numbers) == len(set(numbers))
    serials: list[str] = []
    for order in season.orders:
        placed = _ts(order["placed_at"])
        assert season.start <= placed < season.end
        assert order["currency"] == "USD"
        assert order["channel"] in {"web", "app", "store", "marketplace"}
        assert order["customer"]["postal_code"] in ZIP_CODES
        assert 1 <= len(order["lines"]) <= 4
        assert len({line["sku"] for line in order["lines"]}) == len(order["lines"])
        if order["delivered_at"] is not None:
            delivered = _ts(order["delivered_at"])
            assert delivered <= season.end
            if order["channel"] == "store":
                assert delivered == placed  # carried out of the store
            else:
                assert timedelta(days=2) <= delivered - placed <= timedelta(days=6)
        for line in order["lines"]:
            product = products[line["sku"]]
            assert _is_int(line["unit_price"])
            assert _is_int(line["list_price"])
            assert _is_int(line["quantity"])
            assert 0 < line["unit_price"] <= line["list_price"] == product["list_price"]
            assert line["quantity"] >= 1
            assert isinstance(line["final_sale"], bool)
            if product["serialized"]:
                assert len(line["serials"]) == line["quantity"]
                serials.extend(line["serials"])
            else:
                assert "serials" not in line
    assert len(serials) == len(set(serials))

    by_number = {o["number"]: o for o in season.orders}
    claimed: Counter[tuple[str, int]] = Counter()
    for request in season.returns:
        order = by_number[request["order_number"]]
        assert order["delivered_at"] is not None, "returns only on delivered orders"
        delivered = _ts(order["delivered_at"])
        requested = _ts(request["requested_at"])
        assert delivered + timedelta(days=2) <= requested <= delivered + timedelta(days=40)
        assert requested <= season.end
        assert request["resolution"] in {"refund", "store_credit", "exchange"}
        assert request["method"] in {"drop_off", "pickup", "in_store"}
        assert request["lines"]
        for line in request["lines"]:
            assert 0 <= line["line_index"] < len(order["lines"])
            assert line["reason"] in REASONS
            assert isinstance(line["opened"], bool)
            assert _is_int(line["quantity"])
            assert line["quantity"] >= 1
            claimed[(order["number"], line["line_index"])] += line["quantity"]
    for (number, index), quantity in claimed.items():
        assert quantity <= by_number[number]["lines"][index]["quantity"], "never more than was bought"


# --- catalogue ---------------------------------------------------------------------------------


def test_catalog_has_200_plus_unique_skus_across_all_categories(world: tuple[list[Body], ...]) -> None:
    catalog = world[0]
    assert len(catalog) == 240
    skus = [p["sku"] for p in catalog]
    assert len(set(skus)) == len(skus)
    assert all(re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]+){1,3}", sku) for sku in skus)
    per_category = Counter(p["category"] for p in catalog)
    assert all(per_category[c] >= 20 for c in FIVE), per_category
    assert all(set(p) == PRODUCT_KEYS for p in catalog)
    assert any(
        p["name"] == "Men's Merino Crew Sweater — Navy, M" for p in generate_catalog(random.Random(0), 560)
    )


def test_catalog_money_weights_and_flags(world: tuple[list[Body], ...]) -> None:
    for product in world[0]:
        assert _is_int(product["unit_cost"]), product
        assert _is_int(product["list_price"]), product
        assert _is_int(product["weight_grams"])
        assert product["weight_grams"] > 0
        assert product["hazmat_class"] in HAZMAT
        if "gift_card" in product["tags"]:
            assert product["unit_cost"] == product["list_price"]
            assert not product["returnable"]
        else:
            assert 0 < product["unit_cost"] < product["list_price"]
        if product["warranty_months"] is not None:
            assert _is_int(product["warranty_months"])


def test_catalog_prices_are_realistic_per_category(world: tuple[list[Body], ...]) -> None:
    medians = {
        c: statistics.median(p["list_price"] for p in world[0] if p["category"] == c) / 100 for c in FIVE
    }
    assert 20 <= medians["apparel"] <= 150
    assert 50 <= medians["footwear"] <= 200
    assert 50 <= medians["electronics"] <= 400
    assert medians["beauty"] < medians["apparel"] < medians["electronics"]


def test_catalog_plants_hazmat_and_non_returnable_items(world: tuple[list[Body], ...]) -> None:
    catalog = world[0]
    electronics = [p for p in catalog if p["category"] == "electronics"]
    lithium = [p for p in electronics if p["hazmat_class"] == "lithium_ion"]
    assert len(lithium) >= 10
    assert any(p["serialized"] and p["warranty_months"] for p in lithium)
    beauty_hazmat = {p["hazmat_class"] for p in catalog if p["category"] == "beauty"}
    assert {"aerosol", "flammable_liquid"} <= beauty_hazmat
    assert any(p["hazmat_class"] == "lithium_metal" for p in catalog)
    assert any("hygiene" in p["tags"] and not p["returnable"] for p in catalog if p["category"] == "beauty")
    tags = {tag for p in catalog for tag in p["tags"]}
    assert {"final_sale", "hygiene", "personalised", "gift_card"} <= tags


def test_catalog_sizes_and_limits() -> None:
    assert len(generate_catalog(random.Random(1), 30)) == 30
    assert {p["category"] for p in generate_catalog(random.Random(1), 5)} == set(FIVE)
    assert len(generate_catalog(random.Random(1), max_catalog_size())) == max_catalog_size()
    with pytest.raises(ValueError):
        generate_catalog(random.Random(1), max_catalog_size() + 1)


# --- network and customers ---------------------------------------------------------------------


def test_nodes_use_api_vocabulary_and_real_zips() -> None:
    nodes = generate_nodes()
    codes = [n["code"] for n in nodes]
    assert len(codes) == len(set(codes))
    kinds = {n["kind"] for n in nodes}
    assert kinds <= NODE_KINDS
    assert {"warehouse", "return_center", "store", "refurbisher", "recycler", "liquidator"} <= kinds
    for node in nodes:
        assert set(node["capabilities"]) <= CAPABILITIES
        assert "receive" in node["capabilities"]
        assert node["postal_code"] in ZIP_CODES
        assert node["country"] == "US"
        assert _is_int(node["daily_capacity"])
        assert node["daily_capacity"] > 0
    assert any(n["kind"] == "return_center" and "hazmat" in n["capabilities"] for n in nodes)
    assert generate_nodes() == nodes


def test_customers_are_unique_spread_and_tagged(world: tuple[list[Body], ...]) -> None:
    customers = world[1]
    assert len(customers) == 600
    emails = [c["email"] for c in customers]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z0-9._]+@example\.(com|net|org)", e) for e in emails)
    for customer in customers:
        assert re.fullmatch(r"\d{5}", customer["postal_code"])
        assert customer["postal_code"] in ZIP_CODES
        assert customer["country"] == "US"
        assert len(customer["name"].split()) == 2
    assert len({c["postal_code"] for c in customers}) > 100  # spread over the country
    loyalty = sum("loyalty" in c["tags"] for c in customers) / len(customers)
    assert 0.15 <= loyalty <= 0.25


def test_zip_table_is_well_formed() -> None:
    assert len(ZIP_CODES) >= 150
    assert all(re.fullmatch(r"\d{5}", z) for z in ZIP_CODES)


# --- the default season ------------------------------------------------------------------------


def test_default_season_invariants(world: tuple[list[Body], list[Body], Season]) -> None:
    catalog, _, season = world
    assert len(season.orders) == 3000
    _check_season(season, catalog)


def test_return_rates_by_units_fall_in_category_bands(world: tuple[list[Body], list[Body], Season]) -> None:
    catalog, _, season = world
    category = {p["sku"]: p["category"] for p in catalog}
    sold: Counter[str] = Counter()
    returned: Counter[str] = Counter()
    by_number = {o["number"]: o for o in season.orders}
    for order in season.orders:
        for line in order["lines"]:
            sold[category[line["sku"]]] += line["quantity"]
    for request in season.returns:
        lines = by_number[request["order_number"]]["lines"]
        for line in request["lines"]:
            returned[category[lines[line["line_index"]]["sku"]]] += line["quantity"]
    summary = season.summary()
    for name, (low, high) in BANDS.items():
        rate = returned[name] / sold[name]
        assert low <= rate <= high, (name, rate)
        assert summary["categories"][name]["return_rate"] == pytest.approx(rate, abs=1e-4)
        assert low <= summary["categories"][name]["expected_return_rate"] <= high


def test_reason_mix_is_category_realistic(world: tuple[list[Body], list[Body], Season]) -> None:
    categories = world[2].summary()["categories"]

    def share(category: str, *reasons: str) -> float:
        mix: dict[str, int] = categories[category]["reasons"]
        return sum(mix.get(r, 0) for r in reasons) / sum(mix.values())

    assert share("apparel", "size_too_small", "size_too_large") >= 0.3
    assert share("footwear", "size_too_small", "size_too_large") >= 0.3
    assert share("electronics", "size_too_small", "size_too_large") == 0
    assert (
        max(categories["electronics"]["reasons"], key=categories["electronics"]["reasons"].get) == "defective"
    )
    assert share("home", "damaged_in_transit") >= 0.1


def test_season_shape_channels_discounts_and_peak(world: tuple[list[Body], list[Body], Season]) -> None:
    season = world[2]
    summary = season.summary()
    assert 0.70 <= summary["channels"]["web"] / summary["orders"] <= 0.80
    assert 0.50 <= summary["resolutions"]["refund"] / summary["returns"] <= 0.70
    lines = [line for order in season.orders for line in order["lines"]]
    assert sum(2 * line["unit_price"] <= line["list_price"] for line in lines) >= 50  # clearance
    assert any(line["final_sale"] for line in lines)
    per_day = Counter(_ts(o["placed_at"]).date() for o in season.orders)
    assert per_day[datetime(2025, 11, 28).date()] > 2 * statistics.median(per_day.values())
    weekend = [n for d, n in per_day.items() if d.weekday() >= 5 and d.month == 10]
    weekday = [n for d, n in per_day.items() if d.weekday() < 5 and d.month == 10]
    assert statistics.mean(weekend) > statistics.mean(weekday)
    late_window = season.end - timedelta(days=6)
    assert any(o["delivered_at"] is None for o in season.orders if _ts(o["placed_at"]) >= late_window)
    assert 0 < summary["late_returns"] < 0.15 * summary["returns"]  # some fall outside a 30-day window


def test_heavy_returners_and_quality_issues_are_planted(world: tuple[list[Body], list[Body], Season]) -> None:
    season = world[2]
    assert len(season.heavy_returners) >= 5
    bought: Counter[str] = Counter()
    returned: Counter[str] = Counter()
    by_number = {o["number"]: o for o in season.orders}
    for order in season.orders:
        bought[order["customer"]["email"]] += sum(line["quantity"] for line in order["lines"])
    for request in season.returns:
        returned[by_number[request["order_number"]]["customer"]["email"]] += sum(
            line["quantity"] for line in request["lines"]
        )
    overall = sum(returned.values()) / sum(bought.values())
    heavy = sum(returned[e] for e in season.heavy_returners) / sum(bought[e] for e in season.heavy_returners)
    assert heavy > 3 * overall
    assert set(season.quality_issues.values()) == {"defective", "size_too_small", "not_as_described"}


def test_default_season_is_quick() -> None:
    rng = random.Random(3)
    catalog, customers = generate_catalog(rng), generate_customers(rng)
    began = time.perf_counter()
    generate_season(rng, catalog, customers, START)
    assert time.perf_counter() - began < 2.0


# --- other ranges, determinism, errors -----------------------------------------------------------


def _small(seed: int, start: datetime = START) -> tuple[list[Body], Season]:
    rng = random.Random(seed)
    catalog = generate_catalog(rng, 80)
    customers = generate_customers(rng, 60)
    return catalog, generate_season(rng, catalog, customers, start, days=45, orders=400)


def test_small_season_off_midnight_and_outside_the_holidays() -> None:
    start = datetime(2025, 3, 3, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-5)))
    catalog, season = _small(11, start)
    assert season.start == datetime(2025, 3, 3, 14, 30, 15, tzinfo=UTC)
    assert len(season.orders) == 400
    assert season.returns
    _check_season(season, catalog)


def test_same_seed_same_data_other_seed_other_data() -> None:
    first, second = _small(5), _small(5)
    assert first == second
    assert json.dumps(first[1].orders) == json.dumps(second[1].orders)
    assert _small(6)[1].orders != first[1].orders
    assert generate_customers(random.Random(9), 50) == generate_customers(random.Random(9), 50)


def test_determinism_survives_string_hash_randomisation() -> None:
    # Set iteration order changes with PYTHONHASHSEED; identical output proves none leaks into the data.
    script = (
        "import hashlib, json, random; from datetime import datetime, UTC; from returnflow.demo import *; "
        "r = random.Random(5); c = generate_catalog(r, 80); u = generate_customers(r, 60); "
        "s = generate_season(r, c, u, datetime(2025, 10, 1, tzinfo=UTC), days=45, orders=400); "
        "print(hashlib.sha256(json.dumps([c, u, s.orders, s.returns]).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_bad_arguments_are_refused() -> None:
    rng = random.Random(1)
    catalog, customers = generate_catalog(rng, 30), generate_customers(rng, 10)
    with pytest.raises(ValueError):
        generate_season(rng, catalog, customers, datetime(2025, 10, 1))  # naive: which timezone?
    with pytest.raises(ValueError):
        generate_season(rng, catalog, customers, START, days=0)
    with pytest.raises(ValueError):
        generate_season(rng, [], customers, START)
    empty = generate_season(rng, catalog, customers, START, orders=0)
    assert empty.orders == []
    assert empty.returns == []
