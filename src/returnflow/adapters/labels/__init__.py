"""Label documents: a ShippingLabel rendered as a 4×6 inch PDF or as ZPL II for thermal printers."""

from __future__ import annotations

from typing import Literal

from returnflow.domain.labels import ShippingLabel

LabelFormat = Literal["pdf", "zpl"]
MEDIA_TYPES: dict[str, str] = {"pdf": "application/pdf", "zpl": "application/x-zpl"}


def render(label: ShippingLabel, fmt: LabelFormat) -> bytes:
    """The label document in `fmt`; ValueError for any other format."""
    if fmt == "pdf":
        from returnflow.adapters.labels.pdf import render_pdf

        return render_pdf(label)
    if fmt == "zpl":
        from returnflow.adapters.labels.zpl import render_zpl

        return render_zpl(label)
    raise ValueError(f"unknown label format {fmt!r}; one of: pdf, zpl")
