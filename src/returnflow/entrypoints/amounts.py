"""Money as people read it, for the pages, the CLI's tables and the reports alike."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision


def money(amount: int | None, currency: str | None) -> str:
    """Minor units in the currency's own precision, e.g. 5900 USD → "$59.00"; a dash for none."""
    if amount is None or not currency:
        return "—"
    exponent = int(get_currency_precision(currency))
    return str(format_currency(Decimal(amount).scaleb(-exponent), currency, locale="en_US"))
