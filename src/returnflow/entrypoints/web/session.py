"""Who is on a page: the shopper's signed portal token and the staff member's signed session cookie."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from starlette.datastructures import FormData

from returnflow.bootstrap import Container
from returnflow.entrypoints.web.security import (
    csrf_ok,
    csrf_token,
    same_origin,
    seal,
    server_secret,
    sign,
    unseal,
    verify,
)
from returnflow.services.access import Actor
from returnflow.services.tenants import authenticate

PORTAL_COOKIE = "rf_portal"
OPS_COOKIE = "rf_ops"
PORTAL_TTL = timedelta(minutes=30)
OPS_TTL = timedelta(hours=8)
STAFF_ROLES = ("admin", "specialist", "warehouse", "finance")
FORM_EXPIRED = "This form has expired; reload the page and try again."


def container(request: Request) -> Container:
    """The app's container."""
    found: Container = request.app.state.container
    return found


def secret(request: Request) -> bytes:
    """The server secret that signs tokens and cookies."""
    return server_secret(container(request).settings)


async def read_form(request: Request) -> FormData:
    """The posted form (a dependency, so sync handlers get it already parsed)."""
    return await request.form(max_files=0, max_fields=2000)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def customer_actor(tenant_id: str, email: str) -> Actor:
    """A portal customer: the services show them their own orders and returns only."""
    return Actor(tenant_id, "customer", f"portal:{email}", customer_email=email.strip().lower())


@dataclass(frozen=True)
class Shopper:
    """A customer who proved they know an order's number and email."""

    tenant_id: str
    order_number: str
    email: str
    token: str

    def actor(self) -> Actor:
        """The customer actor the services check visibility against (own returns only)."""
        return customer_actor(self.tenant_id, self.email)


def start_shopper(
    request: Request, response: Response, slug: str, tenant_id: str, number: str, email: str
) -> None:
    """Set the short-lived signed portal cookie after a successful lookup."""
    c = container(request)
    claims = {"t": tenant_id, "o": number, "e": email.strip().lower()}
    token = sign(secret(request), "portal", claims, c.clock() + PORTAL_TTL)
    response.set_cookie(
        PORTAL_COOKIE,
        token,
        max_age=int(PORTAL_TTL.total_seconds()),
        path=f"/portal/{slug}",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def shopper(request: Request, tenant_id: str) -> Shopper | None:
    """The shopper of this tenant behind the portal cookie, if it is genuine and fresh."""
    token = request.cookies.get(PORTAL_COOKIE)
    claims = verify(secret(request), "portal", token, container(request).clock())
    if token is None or claims is None or claims.get("t") != tenant_id:
        return None
    number, email = claims.get("o"), claims.get("e")
    if not isinstance(number, str) or not isinstance(email, str):
        return None
    return Shopper(tenant_id=tenant_id, order_number=number, email=email, token=token)


def end_shopper(response: Response, slug: str) -> None:
    """Forget the portal cookie."""
    response.delete_cookie(PORTAL_COOKIE, path=f"/portal/{slug}", httponly=True, samesite="lax")


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member: the actor behind their key and the session cookie it came in."""

    actor: Actor
    token: str


def start_staff(request: Request, response: Response, key: str) -> None:
    """Keep the pasted key, sealed and signed, in an httponly, SameSite=Strict cookie for the session."""
    # Sealed so the long-lived key never sits in plain sight in the browser's cookie store.
    claims = {"k": seal(secret(request), key), "n": secrets.token_urlsafe(8)}
    token = sign(secret(request), "ops", claims, container(request).clock() + OPS_TTL)
    response.set_cookie(
        OPS_COOKIE,
        token,
        max_age=int(OPS_TTL.total_seconds()),
        path="/ops",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def staff(request: Request) -> Staff | None:
    """The staff member behind the ops cookie; the key is checked on every request (revocation works)."""
    token = request.cookies.get(OPS_COOKIE)
    claims = verify(secret(request), "ops", token, container(request).clock())
    if token is None or claims is None or not isinstance(claims.get("k"), str):
        return None
    key = unseal(secret(request), claims["k"])
    actor = authenticate(container(request).db, key) if key else None
    if actor is None or actor.role not in STAFF_ROLES:
        return None
    return Staff(actor=actor, token=token)


def end_staff(response: Response) -> None:
    """Forget the ops cookie."""
    response.delete_cookie(OPS_COOKIE, path="/ops", httponly=True, samesite="strict")


def form_token(request: Request, session_token: str) -> str:
    """The CSRF token to embed in forms of this session."""
    return csrf_token(secret(request), session_token)


def form_trusted(request: Request, form: FormData, session_token: str) -> bool:
    """A POST is trusted when it comes from our own origin with the session's CSRF token."""
    submitted = form.get("csrf")
    return (
        same_origin(request)
        and isinstance(submitted, str)
        and csrf_ok(secret(request), session_token, submitted)
    )
