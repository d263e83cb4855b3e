"""Server-side behaviour of the portal and ops pages (TestClient, SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from returnflow.bootstrap import Container
from returnflow.config import Settings
from returnflow.entrypoints.amounts import money
from returnflow.entrypoints.api.app import create_app
from returnflow.entrypoints.web import security
from returnflow.services import orders, returns
from returnflow.services.access import system_actor
from returnflow.services.inputs import OrderInput, ReturnInput
from tests.builders import line, order, return_request
from tests.conftest import FrozenClock
from tests.e2e.conftest import PLACED, Shop, file_return, seed_shop, web_container


@pytest.fixture
def web(container: Container, clock: FrozenClock) -> Container:
    """The test database with a known page secret and the test's clock."""
    return web_container(container, clock)


@pytest.fixture
def client(web: Container) -> Iterator[TestClient]:
    """The whole app, as a browser would reach it (cookies kept between requests)."""
    with TestClient(create_app(web), raise_server_exceptions=False, base_url="http://shop.test") as c:
        yield c


@pytest.fixture
def shop(web: Container) -> Shop:
    """A seeded tenant."""
    return seed_shop(web)


def field(html: str, name: str) -> str:
    """A hidden input's value from a rendered form."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field"
    return found.group(1)


def find_order(client: TestClient, shop: Shop, number: str = "A-1001", email: str = "ada@example.com") -> Any:
    """Post the lookup form."""
    return client.post(
        f"/portal/{shop.slug}/lookup", data={"order_number": number, "email": email}, follow_redirects=False
    )


def submit(
    client: TestClient, shop: Shop, picks: dict[str, dict[str, str]], resolution: str = "refund", **over: str
) -> Any:
    """Load the order page and post the return form with these lines picked."""
    html = client.get(f"/portal/{shop.slug}/order").text
    data: dict[str, Any] = {
        "csrf": field(html, "csrf"),
        "submission": field(html, "submission"),
        "resolution": resolution,
    }
    data["line"] = [shop.lines[sku] for sku in picks]
    for sku, values in picks.items():
        lid = shop.lines[sku]
        data.update(
            {f"qty-{lid}": values.get("qty", "1"), f"reason-{lid}": values.get("reason", "size_too_small")}
        )
        if "note" in values:
            data[f"note-{lid}"] = values["note"]
    data.update(over)
    return client.post(f"/portal/{shop.slug}/returns", data=data, follow_redirects=False)


def sign_in(client: TestClient, key: str) -> Any:
    """Post the ops sign-in form."""
    return client.post("/ops/signin", data={"api_key": key}, follow_redirects=False)


def all_returns(web: Container, shop: Shop) -> list[dict[str, Any]]:
    """Every return of the shop."""
    items, _ = returns.list_returns(web.db, system_actor(shop.tenant_id), limit=100)
    return items


# --- portal -----------------------------------------------------------------------------------------


def test_portal_start_and_unknown_shop(client: TestClient, shop: Shop) -> None:
    page = client.get(f"/portal/{shop.slug}")
    assert page.status_code == 200
    assert 'label for="order_number"' in page.text
    assert "Find your order" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/portal/no-such-shop").status_code == 404


def test_wrong_email_says_only_not_found(client: TestClient, shop: Shop) -> None:
    for number, email in (("A-1001", "eve@example.com"), ("NOPE-1", "ada@example.com")):
        r = find_order(client, shop, number, email)
        assert r.status_code == 404
        assert "No order with that number and email." in r.text
        assert "set-cookie" not in r.headers


def test_lookup_sets_signed_cookie_and_shows_order(client: TestClient, shop: Shop) -> None:
    r = find_order(client, shop, email=" ADA@Example.com ")
    assert r.status_code == 303
    assert r.headers["location"] == f"/portal/{shop.slug}/order"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert f"Path=/portal/{shop.slug}" in cookie
    assert "Max-Age=1800" in cookie
    page = client.get(f"/portal/{shop.slug}/order")
    assert page.status_code == 200
    assert "Merino Crew Sweater" in page.text
    assert "Clearance Tee" in page.text
    assert re.search(r'data-testid="bought">2<', page.text)
    assert re.search(r'data-testid="returnable">2<', page.text)
    assert "Changed my mind" in page.text  # the reason catalogue


def test_order_page_needs_a_genuine_fresh_token(
    client: TestClient, shop: Shop, web: Container, clock: FrozenClock
) -> None:
    assert (
        client.get(f"/portal/{shop.slug}/order", follow_redirects=False)
        .headers["location"]
        .endswith("session_ended=1")
    )
    find_order(client, shop)
    token = client.cookies.get("rf_portal")
    assert token
    payload, sig = token.split(".")
    client.cookies.clear()
    client.cookies.set("rf_portal", payload + "." + sig[::-1], path=f"/portal/{shop.slug}")
    assert client.get(f"/portal/{shop.slug}/order", follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.set("rf_portal", token, path=f"/portal/{shop.slug}")
    assert client.get(f"/portal/{shop.slug}/order").status_code == 200
    clock.now += timedelta(minutes=31)
    assert client.get(f"/portal/{shop.slug}/order", follow_redirects=False).status_code == 303


def test_token_of_one_shop_does_not_open_another(client: TestClient, shop: Shop, web: Container) -> None:
    other = seed_shop(web)
    find_order(client, shop)
    token = client.cookies.get("rf_portal")
    assert token
    client.cookies.set("rf_portal", token, path=f"/portal/{other.slug}")
    assert client.get(f"/portal/{other.slug}/order", follow_redirects=False).status_code == 303


def test_request_return_shows_rma_status_money_and_rules(
    client: TestClient, shop: Shop, web: Container
) -> None:
    find_order(client, shop)
    r = submit(client, shop, {"SWEATER-M": {"qty": "1"}})
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    (created,) = all_returns(web, shop)
    assert created["number"] in page.text
    assert 'data-testid="status">Approved<' in page.text
    assert "$53.05" in page.text
    assert "−$5.95" in page.text
    assert "$59.00" in page.text
    assert "Returns are accepted within 30 days of delivery." in page.text
    assert "Too small" in page.text
    order_page = client.get(f"/portal/{shop.slug}/order").text
    assert re.search(r'data-testid="returnable">1<', order_page)
    assert created["number"] in order_page


def test_policy_rejection_is_shown_on_the_form_and_creates_nothing(
    client: TestClient, shop: Shop, web: Container
) -> None:
    find_order(client, shop)
    r = submit(client, shop, {"TEE-FINAL": {"reason": "changed_mind"}}, resolution="store_credit")
    assert r.status_code == 422
    assert "We can&#39;t accept this return" in r.text or "We can't accept this return" in r.text
    assert "Final-sale items cannot be returned." in r.text
    assert 'value="store_credit" checked' in r.text  # the shopper's choices are kept
    assert all_returns(web, shop) == []


def test_form_problems_are_reported_per_line(client: TestClient, shop: Shop, web: Container) -> None:
    find_order(client, shop)
    r = submit(client, shop, {})
    assert r.status_code == 422
    assert "Choose at least one item to return." in r.text
    r = submit(client, shop, {"SWEATER-M": {"qty": "3", "reason": ""}})
    assert r.status_code == 422
    assert "Choose a quantity from 1 to 2." in r.text
    assert "Choose a reason for returning this item." in r.text
    r = submit(client, shop, {"SWEATER-M": {}}, resolution="cash")
    assert r.status_code == 422
    assert "Choose how you would like to be credited." in r.text
    assert all_returns(web, shop) == []


def test_return_form_needs_csrf_and_same_origin(client: TestClient, shop: Shop, web: Container) -> None:
    find_order(client, shop)
    assert submit(client, shop, {"SWEATER-M": {}}, csrf="forged").status_code == 403
    html = client.get(f"/portal/{shop.slug}/order").text
    lid = shop.lines["SWEATER-M"]
    data = {"csrf": field(html, "csrf"), "line": lid, f"reason-{lid}": "defective", "resolution": "refund"}
    evil = client.post(f"/portal/{shop.slug}/returns", data=data, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert all_returns(web, shop) == []


def test_double_submit_files_one_return(client: TestClient, shop: Shop, web: Container) -> None:
    find_order(client, shop)
    html = client.get(f"/portal/{shop.slug}/order").text
    lid = shop.lines["SWEATER-M"]
    data = {
        "csrf": field(html, "csrf"),
        "submission": field(html, "submission"),
        "line": lid,
        f"qty-{lid}": "1",
        f"reason-{lid}": "defective",
        "resolution": "refund",
    }
    first = client.post(f"/portal/{shop.slug}/returns", data=data, follow_redirects=False)
    second = client.post(f"/portal/{shop.slug}/returns", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(all_returns(web, shop)) == 1


def test_tracking_is_only_for_the_same_customer(client: TestClient, shop: Shop, web: Container) -> None:
    mine = file_return(web, shop, "A-1001", "SWEATER-M")
    find_order(client, shop)
    assert client.get(f"/portal/{shop.slug}/returns/{mine['id']}").status_code == 200
    admin = system_actor(shop.tenant_id)
    body = order("C-3003", [line("SWEATER-M")], placed=PLACED)
    body["customer"]["email"] = "bob@example.com"
    created = orders.create_order(web.db, web.clock, admin, OrderInput.model_validate(body))
    request = return_request("C-3003", created["lines"][0]["id"], reason="defective")
    theirs = returns.request_return(web.db, web.clock, admin, ReturnInput.model_validate(request))
    assert client.get(f"/portal/{shop.slug}/returns/{theirs['id']}").status_code == 404


def test_track_by_rma_and_email(client: TestClient, shop: Shop, web: Container) -> None:
    mine = file_return(web, shop, "B-2002", "TV-55")
    wrong = client.post(
        f"/portal/{shop.slug}/track", data={"rma": mine["number"], "track_email": "eve@example.com"}
    )
    assert wrong.status_code == 404
    assert "No return with that number and email." in wrong.text
    r = client.post(
        f"/portal/{shop.slug}/track",
        data={"rma": mine["number"].lower(), "track_email": "Ada@example.com"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/portal/{shop.slug}/returns/{mine['id']}"
    page = client.get(r.headers["location"]).text
    assert 'data-testid="status">Pending review<' in page
    assert "Sent for review" in page


def test_user_text_is_escaped(client: TestClient, shop: Shop, web: Container) -> None:
    find_order(client, shop)
    r = submit(client, shop, {"SWEATER-M": {"note": "<script>alert(1)</script>"}})
    assert r.status_code == 303
    sign_in(client, shop.keys["specialist"])
    (ret,) = all_returns(web, shop)
    page = client.get(f"/ops/returns/{ret['id']}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- ops console ------------------------------------------------------------------------------------


def test_sign_in_rules(client: TestClient, shop: Shop) -> None:
    assert client.get("/ops/returns", follow_redirects=False).headers["location"] == "/ops"
    bad = sign_in(client, "rf_spec_not-a-key")
    assert bad.status_code == 401
    assert "not valid" in bad.text
    customer = sign_in(client, shop.keys["customer"])
    assert customer.status_code == 403
    assert "cannot sign in to the ops console" in customer.text
    assert "set-cookie" not in customer.headers
    ok = sign_in(client, shop.keys["specialist"])
    assert ok.status_code == 303
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/ops" in cookie
    assert shop.keys["specialist"] not in cookie  # the key is sealed, not stored in clear
    assert client.get("/ops", follow_redirects=False).headers["location"] == "/ops/returns"
    page = client.get("/ops/returns").text
    r = client.post("/ops/signout", data={"csrf": field(page, "csrf")}, follow_redirects=False)
    assert r.status_code == 303
    assert 'rf_ops=""' in r.headers["set-cookie"]


def test_list_filters_search_pages_and_chart(client: TestClient, shop: Shop, web: Container) -> None:
    approved = file_return(web, shop, "A-1001", "SWEATER-M")
    pending = file_return(web, shop, "B-2002", "TV-55")
    sign_in(client, shop.keys["finance"])
    page = client.get("/ops/returns").text
    assert approved["number"] in page
    assert pending["number"] in page
    assert "<svg" in page
    assert "Pending review: 1; Approved: 1" in page
    assert "$53.05" in page
    assert "ada@example.com" in page
    only_pending = client.get("/ops/returns?status=pending_review").text
    assert pending["number"] in only_pending
    assert approved["number"] not in only_pending
    found = client.get("/ops/returns", params={"q": "A-1001"}).text
    assert approved["number"] in found
    assert pending["number"] not in found
    first = client.get("/ops/returns?limit=1").text
    assert pending["number"] in first
    assert approved["number"] not in first
    assert "Next page" in first
    next_link = re.search(r'href="(/ops/returns\?after=[^"]+)"', first)
    assert next_link
    second = client.get(next_link.group(1).replace("&amp;", "&")).text
    assert approved["number"] in second
    assert "Next page" not in second
    assert "First page" in second
    assert client.get("/ops/returns?status=bogus&after=zzz&limit=x").status_code == 200


def test_approve_needs_csrf_and_the_right_role(client: TestClient, shop: Shop, web: Container) -> None:
    pending = file_return(web, shop, "B-2002", "TV-55")
    sign_in(client, shop.keys["finance"])
    page = client.get(f"/ops/returns/{pending['id']}").text
    assert ">Approve<" not in page
    assert "Very high value return".lower() in page.lower()
    forbidden = client.post(f"/ops/returns/{pending['id']}/approve", data={"csrf": field(page, "csrf")})
    assert forbidden.status_code == 403
    assert "may not decide returns" in forbidden.text
    sign_in(client, shop.keys["specialist"])
    page = client.get(f"/ops/returns/{pending['id']}").text
    assert ">Approve<" in page
    assert ">Reject<" in page
    assert client.post(f"/ops/returns/{pending['id']}/approve", data={}).status_code == 403
    assert client.post(f"/ops/returns/{pending['id']}/approve", data={"csrf": "x" * 43}).status_code == 403
    r = client.post(
        f"/ops/returns/{pending['id']}/approve", data={"csrf": field(page, "csrf")}, follow_redirects=False
    )
    assert r.status_code == 303
    done = client.get(r.headers["location"]).text
    assert "Return approved." in done
    assert 'data-testid="status">Approved<' in done
    again = client.post(f"/ops/returns/{pending['id']}/approve", data={"csrf": field(page, "csrf")})
    assert again.status_code == 409
    assert "cannot become approved" in again.text


def test_reject_needs_a_reason_and_cancel_releases_units(
    client: TestClient, shop: Shop, web: Container
) -> None:
    pending = file_return(web, shop, "B-2002", "TV-55")
    approved = file_return(web, shop, "A-1001", "SWEATER-M", quantity=2)
    sign_in(client, shop.keys["admin"])
    csrf = field(client.get("/ops/returns").text, "csrf")
    empty = client.post(f"/ops/returns/{pending['id']}/reject", data={"csrf": csrf, "reason": "  "})
    assert empty.status_code == 422
    assert "reason for the rejection" in empty.text
    r = client.post(f"/ops/returns/{pending['id']}/reject", data={"csrf": csrf, "reason": "Serial missing"})
    assert r.status_code == 200
    assert "Return rejected." in r.text
    assert "Serial missing" in r.text
    r = client.post(f"/ops/returns/{approved['id']}/cancel", data={"csrf": csrf})
    assert r.status_code == 200
    assert 'data-testid="status">Cancelled<' in r.text
    after = orders.get_order(web.db, system_actor(shop.tenant_id), "A-1001")
    assert after["lines"][0]["returnable_quantity"] == 2
    assert client.post(f"/ops/returns/{approved['id']}/explode", data={"csrf": csrf}).status_code == 404
    assert client.get("/ops/returns/ret_nope").status_code == 404


def test_static_files(client: TestClient) -> None:
    css = client.get("/static/web/returnflow.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert client.get("/static/web/returnflow.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/web/../pages.py").status_code == 404
    assert client.get("/static/web/nope.css").status_code == 404


# --- helpers ----------------------------------------------------------------------------------------


def test_secret_file_is_created_once_and_shared(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = security.server_secret(settings)
    path = tmp_path / "data" / "secret.key"
    assert path.exists()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    security._secrets.clear()  # a second worker process starts with an empty cache
    assert security.server_secret(settings) == first
    assert len(first) >= 32
    assert security.server_secret(Settings(secret_key="configured")) == b"configured"


def test_tokens_are_signed_expiring_and_purpose_bound(clock: FrozenClock) -> None:
    key = b"k" * 32
    token = security.sign(key, "portal", {"o": "A-1"}, clock.now + timedelta(minutes=5))
    assert security.verify(key, "portal", token, clock.now) == {
        "o": "A-1",
        "exp": int((clock.now + timedelta(minutes=5)).timestamp()),
    }
    assert security.verify(key, "ops", token, clock.now) is None
    assert security.verify(b"other" * 8, "portal", token, clock.now) is None
    assert security.verify(key, "portal", token, clock.now + timedelta(minutes=5)) is None
    assert security.verify(key, "portal", "garbage", clock.now) is None
    assert security.verify(key, "portal", "a.b", clock.now) is None
    sealed = security.seal(key, "rf_spec_secret")
    assert "rf_spec" not in sealed
    assert security.unseal(key, sealed) == "rf_spec_secret"


def test_money_uses_the_currency_precision() -> None:
    assert money(5900, "USD") == "$59.00"
    assert money(123456, "EUR") == "€1,234.56"
    assert money(500, "JPY") == "¥500"
    assert money(None, "USD") == "—"
