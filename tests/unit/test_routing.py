"""Routing valuation, rate cards and geography: pure rules, no database."""

from __future__ import annotations

import pytest

from returnflow.adapters.geo import PostalCodeUnknown, locate
from returnflow.adapters.rate_cards import default_network, parse_rates_csv
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.geography import Coordinates, great_circle_km
from returnflow.domain.rates import RateMissing, RateRow, build_rate_card
from returnflow.domain.routing import Destination, NoRoute, Parcel, ParcelItem, route

NET = default_network()
NYC = locate("10001", "US")


def _node(code, kind, zip_code, caps=("inspect",), **kw):
    return Destination(code, kind, frozenset(caps), locate(zip_code, "US"), **kw)


def _parcel(category="apparel", unit_cost=2400, hazmat=None, grams=450, origin=NYC):
    return Parcel((ParcelItem("X", category, unit_cost, 1, hazmat),), grams, origin)


def test_great_circle_new_york_to_los_angeles():
    assert great_circle_km(locate("10001", "US"), locate("90001", "US")) == pytest.approx(3940, rel=0.02)


def test_unknown_postal_code_is_named():
    with pytest.raises(PostalCodeUnknown, match="99999"):
        locate("99999", "US")
    with pytest.raises(PostalCodeUnknown, match="latitude"):
        locate("75001", "FR")
    assert locate("75001", "FR", 48.86, 2.34) == Coordinates(48.86, 2.34)


def test_rate_card_zone_and_weight_break():
    card = NET.rates["GROUND"]
    q = card.quote(1000, 450)
    assert (q.zone, q.price, q.transit_days) == ("3", 630, 3)
    with pytest.raises(RateMissing, match="no weight break for 40,000 g"):
        card.quote(100, 40_000)
    with pytest.raises(RateMissing, match="no zone for 12,000 km"):
        card.quote(12_000, 100)


def test_missing_cell_names_zone_and_weight():
    card = build_rate_card("S", "USD", [RateRow("1", 500, 1000, 500, 2), RateRow("2", 900, 2000, 800, 3)])
    with pytest.raises(RateMissing, match="zone 1 up to 2,000 g"):
        card.quote(100, 1500)


def test_csv_with_bad_row_rejects_all_with_row_numbers():
    text = "zone,max_km,max_grams,price,transit_days\n1,500,1000,5.00,2\n1,600,2000,6.00,2\n"
    with pytest.raises(ValidationFailed) as err:
        parse_rates_csv(text, "USD", service="S")
    assert err.value.problems[0].field == "row 3"


def test_refurbisher_recovers_more_from_electronics_than_a_store():
    nodes = [_node("ST", "store", "10012"), _node("RF", "refurbisher", "08817")]
    d = route(_parcel("electronics", 50_000, grams=2000), nodes, NET.services, NET.rates)
    assert d.chosen.node == "RF"
    assert d.runners_up and d.runners_up[0].total >= d.chosen.total


def test_lithium_never_on_air_nor_to_a_node_without_hazmat():
    nodes = [_node("ST", "store", "10012"), _node("RC", "return_center", "76177", ("inspect", "hazmat"))]
    d = route(_parcel("electronics", 5000, hazmat="lithium_ion"), nodes, NET.services, NET.rates)
    assert d.chosen.node == "RC" and d.chosen.mode == "ground"
    assert all(o.mode == "ground" and o.node == "RC" for o in d.runners_up)


def test_no_hazmat_node_means_no_route_with_reason():
    with pytest.raises(NoRoute) as err:
        route(_parcel(hazmat="aerosol"), [_node("ST", "store", "10012")], NET.services, NET.rates)
    assert err.value.problems


def test_full_node_and_sla_are_respected():
    nodes = [_node("ST", "store", "10012", remaining_capacity=0), _node("WH", "warehouse", "90001")]
    d = route(_parcel(), nodes, NET.services, NET.rates, sla_days=2)
    assert d.chosen.node == "WH" and d.chosen.mode == "air"  # ground to LA takes 5 days


def test_keep_it_economics_cheap_item_costs_more_to_return_than_it_recovers():
    d = route(_parcel(unit_cost=300), [_node("WH", "warehouse", "90001")], NET.services, NET.rates)
    assert d.chosen.return_cost > d.chosen.recovery
