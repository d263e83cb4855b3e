"""Self-issued tracking numbers: a two-letter prefix, a serial and a Luhn (mod 10) check digit."""

from __future__ import annotations

import re

PREFIX = "RF"
SERIAL_DIGITS = 13
# Crockford base32 without look-alikes: the alphabet RMA numbers are written in.
_RMA_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RMA = re.compile(r"^RMA-([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})$")
_NUMBER = re.compile(r"^[A-Z]{2}[0-9]{8,30}$")
RMA_SERIALS = 32**8  # serials below this come from RMA numbers; random ones lie above it


def check_digit(digits: str) -> str:
    """The Luhn check digit for a string of digits (catches every single-digit error)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = (ord(ch) - 48) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def is_valid(number: str) -> bool:
    """Whether `number` is a well-formed self-issued tracking number with a correct check digit."""
    if not _NUMBER.match(number):
        return False
    return check_digit(number[2:-1]) == number[-1]


def compose(serial: int, prefix: str = PREFIX, width: int = SERIAL_DIGITS) -> str:
    """The tracking number for a serial: prefix + zero-padded serial + check digit."""
    if not re.fullmatch(r"[A-Z]{2}", prefix):
        raise ValueError(f"tracking prefix must be two capital letters, not {prefix!r}")
    if not 0 <= serial < 10**width:
        raise ValueError(f"serial {serial} does not fit in {width} digits")
    body = f"{serial:0{width}d}"
    return f"{prefix}{body}{check_digit(body)}"


def rma_serial(rma_number: str) -> int | None:
    """The serial of an RMA number (one-to-one: distinct returns never share one); None if not an RMA."""
    match = _RMA.match(rma_number.upper())
    if match is None:
        return None
    value = 0
    for ch in match.group(1) + match.group(2):
        value = value * 32 + _RMA_ALPHABET.index(ch)
    return value


def for_rma(rma_number: str, prefix: str = PREFIX) -> str | None:
    """The tracking number of a return's label, derived from its RMA number; None if not an RMA number."""
    serial = rma_serial(rma_number)
    return None if serial is None else compose(serial, prefix)
