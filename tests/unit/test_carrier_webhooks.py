"""Carrier tracking webhooks: signatures per provider, parsing to normalized events, status tables."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from returnflow.adapters.carriers import PROVIDERS, aftership, easypost, generic, shippo
from returnflow.adapters.carriers.errors import PayloadInvalid, SignatureInvalid
from returnflow.domain.tracking import CarrierEvent, TrackingStatus

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers"
NOW = datetime(2025, 3, 15, 15, 0, tzinfo=UTC)
SECRET = "whsec-current-5b1f0e"
OLD_SECRET = "whsec-previous-77c2aa"
S = TrackingStatus


# --- builders: signatures computed here, independently of the code under test -----------------


def _hmac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def sign_easypost(body: bytes, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    key = unicodedata.normalize("NFKD", secret)
    return {"X-Hmac-Signature": "hmac-sha256-hex=" + _hmac(key, body).hex()}


def sign_shippo(body: bytes, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    t = str(int(at.timestamp()))
    return {"Shippo-Auth-Signature": f"t={t},v1={_hmac(secret, t.encode() + b'.' + body).hex()}"}


def sign_aftership(body: bytes, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    return {"aftership-hmac-sha256": base64.b64encode(_hmac(secret, body)).decode()}


def sign_generic(body: bytes, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    return {"X-ReturnFlow-Signature": "sha256=" + _hmac(secret, body).hex()}


@dataclass(frozen=True)
class Case:
    provider: str
    fixture: str
    sign: Callable[..., dict[str, str]]

    def body(self) -> bytes:
        return (FIXTURES / self.fixture).read_bytes()


CASES = [
    Case("easypost", "easypost_tracker_updated.json", sign_easypost),
    Case("shippo", "shippo_track_updated.json", sign_shippo),
    Case("aftership", "aftership_tracking_update.json", sign_aftership),
    Case("generic", "generic.json", sign_generic),
]
by_provider = pytest.mark.parametrize("case", CASES, ids=[c.provider for c in CASES])


def fixture_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_bytes())
    return data


def encode(data: Any) -> bytes:
    return json.dumps(data).encode()


def summary(events: list[CarrierEvent]) -> list[tuple[str, str, str]]:
    return [(e.status.value, e.occurred_at.isoformat(), e.raw_status) for e in events]


# --- signatures ---------------------------------------------------------------------------------


@by_provider
def test_a_correctly_signed_payload_is_read(case: Case) -> None:
    body = case.body()
    events = PROVIDERS[case.provider].read(case.sign(body), body, [SECRET], NOW)
    assert events
    assert {e.provider for e in events} == {case.provider}


@by_provider
def test_a_tampered_body_is_refused(case: Case) -> None:
    body = case.body()
    headers = case.sign(body)
    tampered = body.replace(b"2025-03-1", b"2025-03-2", 1)
    assert tampered != body
    with pytest.raises(SignatureInvalid) as err:
        PROVIDERS[case.provider].verify(headers, tampered, [SECRET], NOW)
    assert err.value.code == "signature_mismatch"


@by_provider
def test_a_payload_signed_with_another_secret_is_refused(case: Case) -> None:
    body = case.body()
    with pytest.raises(SignatureInvalid):
        PROVIDERS[case.provider].verify(case.sign(body, "not-the-secret"), body, [SECRET], NOW)


@by_provider
def test_a_payload_without_its_signature_header_is_refused(case: Case) -> None:
    body = case.body()
    with pytest.raises(SignatureInvalid) as err:
        PROVIDERS[case.provider].verify({"Content-Type": "application/json"}, body, [SECRET], NOW)
    assert err.value.code == "signature_missing"
    assert PROVIDERS[case.provider].signature_header in err.value.message


@by_provider
def test_during_a_rotation_either_active_secret_passes(case: Case) -> None:
    body = case.body()
    fmt = PROVIDERS[case.provider]
    fmt.verify(case.sign(body, OLD_SECRET), body, [SECRET, OLD_SECRET], NOW)
    fmt.verify(case.sign(body, SECRET), body, [SECRET, OLD_SECRET], NOW)
    with pytest.raises(SignatureInvalid):
        fmt.verify(case.sign(body, OLD_SECRET), body, [SECRET], NOW)


@by_provider
def test_header_names_match_in_any_case(case: Case) -> None:
    body = case.body()
    ((name, value),) = case.sign(body).items()
    for variant in (name.lower(), name.upper()):
        PROVIDERS[case.provider].verify({variant: value}, body, [SECRET], NOW)


@by_provider
def test_no_configured_secret_fails_closed(case: Case) -> None:
    body = case.body()
    with pytest.raises(SignatureInvalid) as err:
        PROVIDERS[case.provider].verify(case.sign(body, ""), body, ["", "  "], NOW)
    assert err.value.code == "signature_unconfigured"


@by_provider
def test_a_garbled_signature_value_is_refused_not_crashed_on(case: Case) -> None:
    body = case.body()
    ((name, _),) = case.sign(body).items()
    zeros = "0" * 64
    for value in ("sha256=zz", "hmac-sha256-hex=abc", f"t=١٧٤٢,v1={zeros}", "%%%", "t=1,v2=ab"):
        with pytest.raises(SignatureInvalid):
            PROVIDERS[case.provider].verify({name: value}, body, [SECRET], NOW)


@by_provider
def test_nothing_is_parsed_from_a_payload_whose_signature_fails(case: Case) -> None:
    with pytest.raises(SignatureInvalid):
        PROVIDERS[case.provider].read({}, b"{not json", [SECRET], NOW)


@pytest.mark.parametrize("age", [timedelta(minutes=6), timedelta(hours=3), -timedelta(minutes=6)])
def test_shippo_refuses_a_stale_or_future_signed_timestamp(age: timedelta) -> None:
    body = (FIXTURES / "shippo_track_updated.json").read_bytes()
    with pytest.raises(SignatureInvalid) as err:
        shippo.verify(sign_shippo(body, at=NOW - age), body, [SECRET], NOW)
    assert err.value.code == "signature_stale"


def test_shippo_accepts_a_signature_made_within_the_window() -> None:
    body = (FIXTURES / "shippo_track_updated.json").read_bytes()
    shippo.verify(sign_shippo(body, at=NOW - timedelta(minutes=4)), body, [SECRET], NOW)


def test_shippo_accepts_one_v1_entry_per_active_secret() -> None:
    body = (FIXTURES / "shippo_track_updated.json").read_bytes()
    t = str(int(NOW.timestamp()))
    old = _hmac(OLD_SECRET, t.encode() + b"." + body).hex()
    new = _hmac(SECRET, t.encode() + b"." + body).hex()
    shippo.verify({"Shippo-Auth-Signature": f"t={t},v1={old},v1={new}"}, body, [SECRET], NOW)


def test_easypost_normalizes_the_secret_as_easypost_does() -> None:
    body = (FIXTURES / "easypost_tracker_updated.json").read_bytes()
    secret = "ﬁle-ｓｅｃｒｅｔ"  # a ligature and full-width letters: NFKD makes them "file-secret"
    easypost.verify(sign_easypost(body, "file-secret"), body, [secret], NOW)


# --- parsing: each fixture to its normalized events ----------------------------------------------


def test_easypost_tracker_history_becomes_one_event_per_scan() -> None:
    events = easypost.parse((FIXTURES / "easypost_tracker_updated.json").read_bytes())
    assert summary(events) == [
        ("label_created", "2025-03-10T14:02:11+00:00", "pre_transit"),
        ("picked_up", "2025-03-11T16:45:00+00:00", "in_transit"),
        ("in_transit", "2025-03-12T03:18:00+00:00", "in_transit"),
        ("out_for_delivery", "2025-03-14T09:12:00+00:00", "out_for_delivery"),
        ("delivered", "2025-03-14T17:40:00+00:00", "delivered"),  # sent as 10:40-07:00
    ]
    last = events[-1]
    assert last.tracking_number == "9400111899223197428490"  # printed with spaces in the payload
    assert last.carrier == "usps"
    assert last.location == "RENO, NV, 89502"
    assert last.message == "Delivered, Front Desk/Reception/Mail Room"
    assert last.substatus == "arrived_at_destination"
    assert last.event_id == (
        "trk_5c9a1e0d3b7f4a2c8e6d1b0a9f8e7d6c/2025-03-14T17:40:00+00:00/delivered/arrived_at_destination"
    )


def test_easypost_scans_keep_their_ids_in_later_events_that_repeat_the_history() -> None:
    first = fixture_json("easypost_tracker_updated.json")
    first["result"]["tracking_details"] = first["result"]["tracking_details"][:3]
    later = fixture_json("easypost_tracker_updated.json")
    later["id"] = "evt_0000000000000000000000000000ffff"
    old_ids = [e.event_id for e in easypost.parse(encode(first))]
    new_ids = [e.event_id for e in easypost.parse(encode(later))]
    assert new_ids[:3] == old_ids
    assert len(set(new_ids)) == 5


def test_easypost_tracker_without_details_yields_its_status_keyed_on_the_event_id() -> None:
    data = fixture_json("easypost_tracker_updated.json")
    data["description"] = "tracker.created"
    data["result"].update(tracking_details=[], status="unknown", status_detail="unknown")
    (event,) = easypost.parse(encode(data))
    assert (event.event_id, event.status, event.raw_status) == (data["id"], S.LABEL_CREATED, "unknown")
    assert event.occurred_at == datetime(2025, 3, 14, 17, 41, 2, tzinfo=UTC)


def test_easypost_events_about_other_objects_carry_no_scans() -> None:
    data = {"id": "evt_1", "object": "Event", "description": "batch.updated", "result": {"object": "Batch"}}
    assert easypost.parse(encode(data)) == []


def test_shippo_history_and_current_status_are_read_once_each() -> None:
    events = shippo.parse((FIXTURES / "shippo_track_updated.json").read_bytes())
    assert summary(events) == [
        ("label_created", "2025-03-10T15:20:00+00:00", "PRE_TRANSIT"),
        ("picked_up", "2025-03-11T18:05:00+00:00", "TRANSIT"),
        ("in_transit", "2025-03-12T02:40:00+00:00", "TRANSIT"),
        ("out_for_delivery", "2025-03-13T13:15:00+00:00", "TRANSIT"),
    ]
    assert [e.event_id for e in events][-1] == "c4d3e2f1a0b94c8d7e6f5a4b3c2d1e0f"
    assert events[1].location == "Austin, TX, 78701, US"
    assert events[1].substatus == "package_accepted"
    assert events[0].location is None


def test_shippo_unknown_status_without_a_date_uses_the_record_time() -> None:
    data = fixture_json("shippo_track_updated.json")
    data["data"]["tracking_history"] = []
    data["data"]["tracking_status"].update(status="UNKNOWN", status_date=None, substatus=None)
    (event,) = shippo.parse(encode(data))
    assert (event.status, event.occurred_at) == (
        S.LABEL_CREATED,
        datetime(2025, 3, 13, 13, 16, 2, 512000, UTC),
    )


def test_shippo_other_webhook_events_carry_no_scans() -> None:
    assert shippo.parse(encode({"event": "transaction_created", "data": {"object_id": "x"}})) == []


def test_aftership_checkpoints_and_current_tag_become_events() -> None:
    events = aftership.parse((FIXTURES / "aftership_tracking_update.json").read_bytes())
    assert summary(events) == [
        ("label_created", "2025-03-10T14:01:00+00:00", "InfoReceived"),
        ("picked_up", "2025-03-11T21:12:00+00:00", "InTransit"),
        # checkpoint_time 03:48 has no offset: AfterShip's UTC created_at stands in for it
        ("in_transit", "2025-03-12T08:02:31+00:00", "InTransit"),
        ("exception", "2025-03-14T16:05:00+00:00", "AttemptFail"),
        ("returned_to_sender", "2025-03-15T14:40:00+00:00", "Exception"),
    ]
    assert {e.tracking_number for e in events} == {"420894039261290346009501"}
    assert events[2].location == "INDIANAPOLIS, IN, 46241, USA"
    assert events[3].message == "Customer not available or business closed"


def test_aftership_tag_without_a_checkpoint_of_its_own_is_emitted_at_the_webhook_time() -> None:
    data = fixture_json("aftership_tracking_update.json")
    data["msg"].update(tag="Expired", subtag="Expired_001", subtag_message="Expired")
    events = aftership.parse(encode(data))
    assert len(events) == 6
    last = events[-1]
    assert (last.event_id, last.status, last.raw_status) == (
        "k5lh7dy7vvqeck71p5loe011/tag/Expired",
        S.EXCEPTION,
        "Expired",
    )
    assert last.occurred_at == datetime(2025, 3, 15, 14, 50, tzinfo=UTC)


def test_aftership_other_events_carry_no_scans() -> None:
    assert aftership.parse(encode({"event": "edd_revise", "event_id": "e", "msg": {}})) == []


def test_generic_event_is_read_as_sent() -> None:
    (event,) = generic.parse((FIXTURES / "generic.json").read_bytes())
    assert event == CarrierEvent(
        provider="generic",
        event_id="acme-3pl-scan-000184223",
        tracking_number="1Z999AA10123456784",
        carrier="ups",
        status=S.DELIVERED,
        raw_status="delivered",
        substatus=None,
        occurred_at=datetime(2025, 3, 14, 17, 40, tzinfo=UTC),
        location="Reno, NV 89502",
        message="Received at dock 4",
    )


def test_generic_accepts_an_array_of_events() -> None:
    one = fixture_json("generic.json")
    two = {**one, "event_id": "acme-3pl-scan-000184224", "status": "in_transit", "location": None}
    events = generic.parse(encode([one, two]))
    assert [(e.event_id, e.status, e.location) for e in events] == [
        ("acme-3pl-scan-000184223", S.DELIVERED, "Reno, NV 89502"),
        ("acme-3pl-scan-000184224", S.IN_TRANSIT, None),
    ]


@by_provider
def test_parsing_the_same_payload_twice_gives_the_same_events(case: Case) -> None:
    fmt = PROVIDERS[case.provider]
    assert fmt.parse(case.body()) == fmt.parse(case.body())


# --- bad payloads name the bad field ---------------------------------------------------------


@by_provider
def test_malformed_json_is_a_payload_error(case: Case) -> None:
    with pytest.raises(PayloadInvalid) as err:
        PROVIDERS[case.provider].parse(b'{"id": "evt_1", ')
    assert err.value.field == "$"
    assert err.value.problems[0].code == "malformed_json"


def _without(data: dict[str, Any], path: str) -> dict[str, Any]:
    node: Any = data
    *parents, last = path.split(".")
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    del node[last]
    return data


@pytest.mark.parametrize(
    ("case", "path", "field"),
    [
        (CASES[0], "result.tracking_code", "result.tracking_code"),
        (CASES[0], "result", "result"),
        (CASES[0], "result.tracking_details.2.datetime", "result.tracking_details[2].datetime"),
        (CASES[1], "data.tracking_number", "data.tracking_number"),
        (CASES[1], "data.tracking_status", "data.tracking_status"),
        (CASES[1], "data.tracking_history.1.status", "data.tracking_history[1].status"),
        (CASES[2], "msg.tag", "msg.tag"),
        (CASES[2], "msg.tracking_number", "msg.tracking_number"),
        (CASES[2], "msg.checkpoints.0.tag", "msg.checkpoints[0].tag"),
        (CASES[3], "event_id", "event_id"),
        (CASES[3], "occurred_at", "occurred_at"),
    ],
    ids=lambda v: v.provider if isinstance(v, Case) else None,
)
def test_a_missing_field_is_named(case: Case, path: str, field: str) -> None:
    data = _without(fixture_json(case.fixture), path)
    with pytest.raises(PayloadInvalid) as err:
        PROVIDERS[case.provider].parse(encode(data))
    assert err.value.field == field
    assert field in str(err.value)


def test_a_timestamp_without_an_offset_is_refused() -> None:
    data = fixture_json("easypost_tracker_updated.json")
    data["result"]["tracking_details"][0]["datetime"] = "2025-03-10T14:02:11"
    with pytest.raises(PayloadInvalid) as err:
        easypost.parse(encode(data))
    assert (err.value.field, err.value.problems[0].code) == (
        "result.tracking_details[0].datetime",
        "naive_timestamp",
    )


def test_generic_lists_every_bad_field_of_every_event() -> None:
    bad = [
        {"event_id": "a", "tracking_number": "1Z9", "status": "lost_in_space", "occurred_at": "yesterday"},
        "x",
    ]
    with pytest.raises(PayloadInvalid) as err:
        generic.parse(encode(bad))
    assert [(p.field, p.code) for p in err.value.problems] == [
        ("[0].status", "unknown_status"),
        ("[0].occurred_at", "bad_timestamp"),
        ("[1]", "wrong_type"),
    ]


def test_a_body_that_is_not_an_object_is_a_payload_error() -> None:
    with pytest.raises(PayloadInvalid) as err:
        easypost.parse(b"[1, 2]")
    assert err.value.field == "$"


# --- status tables ---------------------------------------------------------------------------

EASYPOST_DOCUMENTED = {
    "unknown": S.LABEL_CREATED,
    "pre_transit": S.LABEL_CREATED,
    "in_transit": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "delivered": S.DELIVERED,
    "available_for_pickup": S.OUT_FOR_DELIVERY,
    "return_to_sender": S.RETURNED_TO_SENDER,
    "failure": S.FAILURE,
    "cancelled": S.EXCEPTION,
    "error": S.EXCEPTION,
}
SHIPPO_DOCUMENTED = {
    "PRE_TRANSIT": S.LABEL_CREATED,
    "TRANSIT": S.IN_TRANSIT,
    "DELIVERED": S.DELIVERED,
    "RETURNED": S.RETURNED_TO_SENDER,
    "FAILURE": S.FAILURE,
    "UNKNOWN": S.LABEL_CREATED,
}
AFTERSHIP_DOCUMENTED = {
    "InfoReceived": S.LABEL_CREATED,
    "InTransit": S.IN_TRANSIT,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "AttemptFail": S.EXCEPTION,
    "Delivered": S.DELIVERED,
    "AvailableForPickup": S.OUT_FOR_DELIVERY,
    "Exception": S.EXCEPTION,
    "Expired": S.EXCEPTION,
    "Pending": S.LABEL_CREATED,
}


@pytest.mark.parametrize(
    ("table", "documented"),
    [
        (easypost.STATUS_MAP, EASYPOST_DOCUMENTED),
        (shippo.STATUS_MAP, SHIPPO_DOCUMENTED),
        (aftership.STATUS_MAP, AFTERSHIP_DOCUMENTED),
    ],
    ids=["easypost", "shippo", "aftership"],
)
def test_every_documented_provider_status_has_its_mapping(
    table: dict[str, TrackingStatus], documented: dict[str, TrackingStatus]
) -> None:
    assert table == documented


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("package_accepted", S.PICKED_UP),
        ("out_for_delivery", S.OUT_FOR_DELIVERY),
        ("delivery_attempted", S.EXCEPTION),
        ("return_to_sender", S.RETURNED_TO_SENDER),
        ("package_lost", S.FAILURE),
        ("package_departed", S.IN_TRANSIT),
        ("delayed", S.IN_TRANSIT),
    ],
)
def test_shippo_substatus_refines_transit(code: str, expected: TrackingStatus) -> None:
    data = fixture_json("shippo_track_updated.json")
    data["data"]["tracking_history"] = []
    data["data"]["tracking_status"]["substatus"]["code"] = code
    assert shippo.parse(encode(data))[0].status == expected


@pytest.mark.parametrize(
    ("case", "path", "raw"),
    [
        (CASES[0], ("result", "tracking_details", 4, "status"), "held_by_customs_authority"),
        (CASES[1], ("data", "tracking_history", 2, "status"), "HELD"),
        (CASES[2], ("msg", "checkpoints", 3, "tag"), "Quarantined"),
    ],
    ids=["easypost", "shippo", "aftership"],
)
def test_an_unknown_provider_status_falls_back_to_exception_and_keeps_the_raw_value(
    case: Case, path: tuple[Any, ...], raw: str
) -> None:
    data = fixture_json(case.fixture)
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = raw
    events = PROVIDERS[case.provider].parse(encode(data))
    flagged = [e for e in events if e.raw_status == raw]
    assert flagged
    assert {e.status for e in flagged} == {S.EXCEPTION}


def test_the_registry_knows_the_four_providers() -> None:
    assert sorted(PROVIDERS) == ["aftership", "easypost", "generic", "shippo"]
    assert {p: f.signature_header for p, f in PROVIDERS.items()} == {
        "easypost": "X-Hmac-Signature",
        "shippo": "Shippo-Auth-Signature",
        "aftership": "aftership-hmac-sha256",
        "generic": "X-ReturnFlow-Signature",
    }
