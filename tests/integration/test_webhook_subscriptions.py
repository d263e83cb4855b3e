"""Webhook subscriptions through the API: SSRF refusal, secrets shown once, delivery log."""

from __future__ import annotations

from returnflow.services.subscriptions import check_url
from tests.integration.conftest import as_role

PUBLIC = {"hooks.example.com": ["93.184.216.34"]}
SNEAKY = {"evil.example.com": ["93.184.216.34", "10.0.0.7"], "meta.example.com": ["169.254.169.254"]}


def _resolver(host: str, port: int) -> list[str]:
    return {**PUBLIC, **SNEAKY, "v6.example.com": ["::1"]}.get(host, [])


def test_subscribe_list_disable_delete(client, admin):
    client.app.state.resolver = _resolver
    r = admin.post(
        "/webhook-subscriptions", {"url": "https://hooks.example.com/in", "event_types": ["return.*"]}
    )
    assert r.status_code == 201, r.text
    sub = r.json()
    assert sub["secret"].startswith("whsec_") and sub["status"] == "active"
    listed = admin.get("/webhook-subscriptions").json()["items"]
    assert [s["id"] for s in listed] == [sub["id"]] and "secret" not in listed[0]
    assert admin.post(f"/webhook-subscriptions/{sub['id']}/disable").json()["status"] == "disabled"
    assert admin.get(f"/webhook-subscriptions/{sub['id']}/deliveries").json()["items"] == []
    assert client.delete(f"/v1/webhook-subscriptions/{sub['id']}", headers=admin.headers).status_code == 204
    assert admin.get("/webhook-subscriptions").json()["items"] == []
    assert admin.get(f"/webhook-subscriptions/{sub['id']}/deliveries").status_code == 404


def test_private_loopback_and_link_local_urls_are_refused(client, admin):
    client.app.state.resolver = _resolver
    for url in (
        "https://evil.example.com/x",  # one private address among public ones is enough
        "http://meta.example.com/latest",
        "http://v6.example.com/",
        "http://127.0.0.1:8080/",
        "http://nowhere.example.com/",
        "ftp://hooks.example.com/",
        "https://user:pw@hooks.example.com/",
    ):
        r = admin.post("/webhook-subscriptions", {"url": url})
        assert r.status_code == 422, (url, r.text)
    assert admin.get("/webhook-subscriptions").json()["items"] == []


def test_development_tenant_may_use_private_urls(container, client, admin, tenant_slug):
    from returnflow.services.access import system_actor
    from returnflow.services.subscriptions import set_development_mode
    from returnflow.services.tenants import tenant_by_slug

    client.app.state.resolver = _resolver
    tenant = tenant_by_slug(container.db, tenant_slug)
    set_development_mode(container.db, container.clock, system_actor(tenant.id), True)
    r = admin.post("/webhook-subscriptions", {"url": "http://127.0.0.1:9/hook"})
    assert r.status_code == 201, r.text


def test_only_admins_manage_subscriptions(client, keys, admin):
    client.app.state.resolver = _resolver
    finance = as_role(client, keys, "finance")
    assert finance.post("/webhook-subscriptions", {"url": "https://hooks.example.com/"}).status_code == 403
    assert finance.get("/webhook-subscriptions").status_code == 403


def test_check_url_accepts_public_only():
    check_url("https://hooks.example.com/x", _resolver, allow_private=False)
    check_url("http://localhost:1/x", _resolver, allow_private=True)
