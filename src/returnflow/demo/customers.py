"""Demo shoppers: realistic names, unique example-domain emails, real US ZIP codes, loyalty tags."""

from __future__ import annotations

import random
import unicodedata
from typing import Any

from returnflow.demo.zips import ZIPS

Body = dict[str, Any]

# Word lists read (and diff) better as text than as a 130-line column of string literals.
FIRST_NAMES: tuple[str, ...] = tuple(
    """
    James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
    Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy
    Anthony Sandra Mark Ashley Steven Emily Andrew Michelle Joshua Amanda Kevin Melissa Brian
    Stephanie Ryan Rebecca Jacob Laura Nicholas Hannah Tyler Megan Brandon Rachel Samuel Olivia
    Ethan Emma Noah Sophia Liam Isabella Mason Ava Lucas Mia Elijah Charlotte Logan Amelia Aiden
    Harper Jackson Evelyn Carlos Maria José Ana Luis Sofía Diego Camila Alejandro Valentina Wei
    Mei Jian Li Hiroshi Yuki Min-jun Ji-woo Arjun Priya Rohan Ananya Vikram Deepa Mohammed
    Fatima Omar Aisha Tariq Leila Kwame Amara DeShawn Imani Malik Jasmine Andre Keisha Tyrone
    Aaliyah Connor Siobhan Niamh Mateo Lucía Nguyen Linh Thanh Dmitri Natalia Ivan Katarzyna
    Piotr Giulia Marco
    """.split()  # noqa: SIM905
)

LAST_NAMES: tuple[str, ...] = tuple(
    """
    Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernández Lopez
    Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
    Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
    Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
    Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook
    Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward
    Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez
    Castillo Sanders Patel Myers Long Ross Foster Jimenez Chen Wang Zhang Liu Tanaka Yamamoto
    Park Choi Shah Singh Gupta Khan Ali Hussein Okafor Mensah Diallo O'Brien O'Connor Sullivan
    McCarthy Kowalski Nowak Ivanova Petrov Rossi Bianchi Schmidt Müller Larsen Johansson Tran
    Pham Vo Washington Jefferson Banks Holloway
    """.split()  # noqa: SIM905
)

EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")

LOYALTY_SHARE = 0.20
# VIPs are the top slice of the loyalty programme, so every VIP is also tagged "loyalty".
VIP_SHARE_OF_LOYALTY = 0.15


def _ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (José → jose, O'Brien → obrien)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.lower() if ch.isascii() and ch.isalnum())


def _email_local(rng: random.Random, first: str, last: str) -> str:
    """One of the local-part habits people really use."""
    f, la = _ascii_slug(first), _ascii_slug(last)
    pattern = rng.randrange(5)
    if pattern == 0:
        return f"{f}.{la}"
    if pattern == 1:
        return f"{f[0]}{la}"
    if pattern == 2:
        return f"{f}{la[0]}{rng.randint(1, 99)}"
    if pattern == 3:
        return f"{f}_{la}{rng.randint(60, 99):02d}"
    return f"{f}.{la}{rng.randint(1, 9)}"


def generate_customers(rng: random.Random, count: int = 600) -> list[Body]:
    """`count` demo customers `{email, name, postal_code, country, tags}` with unique emails."""
    if count < 0:
        raise ValueError("count must not be negative")
    customers: list[Body] = []
    used: set[str] = set()  # membership only; never iterated, so hash order cannot leak into output
    for _ in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        domain = rng.choice(EMAIL_DOMAINS)
        local = _email_local(rng, first, last)
        email = f"{local}@{domain}"
        suffix = 2
        while email in used:
            # A second "maria.garcia" really does end up with a number appended.
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        used.add(email)
        postal_code, _city, _state = rng.choice(ZIPS)
        tags: list[str] = []
        if rng.random() < LOYALTY_SHARE:
            tags.append("loyalty")
            if rng.random() < VIP_SHARE_OF_LOYALTY:
                tags.append("vip")
        customers.append(
            {
                "email": email,
                "name": f"{first} {last}",
                "postal_code": postal_code,
                "country": "US",
                "tags": tags,
            }
        )
    return customers
