"""The 4×6 inch PDF return label (reportlab): addresses, service, Code 128, GS1-128 and a QR code."""

from __future__ import annotations

import io
from itertools import groupby

import segno
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from returnflow.adapters.labels.pdf_stream import PageOps
from returnflow.domain.labels import LabelAddress, ShippingLabel

WIDTH, HEIGHT = 4 * inch, 6 * inch
MARGIN = 0.15 * inch
FNC1 = "\xf1"  # reportlab's Code 128 writes FNC1 for this character: the GS1-128 start
BODY, BOLD = "Helvetica", "Helvetica-Bold"
BAR_WIDTH = 1.3  # points per module: 0.018 in, well above the 0.0075 in minimum
QR_BORDER = 2  # quiet modules around the QR code (the text and the page edge add more)


def address_lines(address: LabelAddress) -> list[str]:
    """An address as printed, one line each."""
    city = address.city + ("," if address.city and address.region else "")
    place = " ".join(p for p in (city, address.region or "", address.postal_code) if p)
    lines = [address.name, address.line1, address.line2 or "", place, address.country]
    return [line for line in lines if line]


def human_routing(routing_code: str) -> str:
    """The GS1 element string with its AI in parentheses, as printed under the barcode."""
    return f"({routing_code[:3]}) {routing_code[3:]}"


def code128_bars(value: str) -> tuple[list[tuple[int, int]], int]:
    """The (offset, width) in modules of each bar of the Code 128 symbol for `value`, and its width."""
    symbol = Code128(value, quiet=False)
    symbol.validate()
    symbol.encode()
    symbol.decompose()
    bars: list[tuple[int, int]] = []
    left = 0
    # reportlab spells the symbol as letters: upper case = a bar, lower case = a space, 'a' = 1 module.
    for ch in symbol.decomposed:
        width = ord(ch.lower()) - 96
        if ch.isupper():
            bars.append((left, width))
        left += width
    return bars, left


def qr_runs(payload: str) -> tuple[list[tuple[int, int, int]], int]:
    """The dark runs (row, first column, length) of the QR code for `payload`, and its size in modules."""
    # A fixed mask is as valid as the best-scoring one and saves most of the encoding time.
    matrix = segno.make(payload, error="m", mask=0, micro=False).matrix
    runs: list[tuple[int, int, int]] = []
    for row, bits in enumerate(matrix):
        col = 0
        for dark, group in groupby(bits):
            length = len(list(group))
            if dark:
                runs.append((row, col, length))
            col += length
    return runs, len(matrix)


def _barcode(page: PageOps, value: str, top: float, height: float) -> float:
    """Draw a Code 128 symbol centred under `top`; returns its bottom."""
    bars, modules = code128_bars(value)
    usable = WIDTH - 4 * MARGIN  # keeps a quiet zone of at least one margin on each side
    module = min(BAR_WIDTH, usable / modules)
    page.bars((WIDTH - modules * module) / 2, top - height, module, bars, height)
    return top - height


def _qr(page: PageOps, payload: str, x: float, y: float, size: float) -> None:
    runs, modules = qr_runs(payload)
    cell = size / (modules + 2 * QR_BORDER)
    page.modules(x + QR_BORDER * cell, y + size - QR_BORDER * cell, cell, runs)


def _header(page: PageOps, label: ShippingLabel, top: float) -> float:
    page.text(MARGIN, top - 16, label.carrier.upper(), BOLD, 14)
    page.text(MARGIN, top - 28, label.service_name, BODY, 9)
    page.text(WIDTH - MARGIN, top - 16, f"{label.weight_grams / 1000:.2f} KG", BOLD, 11, "right")
    page.text(WIDTH - MARGIN, top - 28, f"RMA {label.rma_number}", BODY, 8, "right")
    page.line(MARGIN, top - 34, WIDTH - MARGIN, top - 34)
    return top - 34


def _addresses(page: PageOps, label: ShippingLabel, top: float) -> float:
    y = top - 10
    page.text(MARGIN, y, "FROM:", BOLD, 6)
    for line in address_lines(label.ship_from):
        page.text(MARGIN + 26, y, line, BODY, 7)
        y -= 8
    y -= 6
    page.text(MARGIN, y, "SHIP TO:", BOLD, 7)
    for i, line in enumerate(address_lines(label.ship_to)):
        page.text(MARGIN + 40, y, line, BOLD if i == 0 else BODY, 11)
        y -= 13
    page.line(MARGIN, y, WIDTH - MARGIN, y)
    return y


def _codes(page: PageOps, label: ShippingLabel, top: float) -> float:
    y = _barcode(page, FNC1 + label.routing_code, top - 6, 40)
    page.text(WIDTH / 2, y - 9, human_routing(label.routing_code), BODY, 8, "centre")
    page.line(MARGIN, y - 13, WIDTH - MARGIN, y - 13)
    page.text(MARGIN, y - 23, "TRACKING #", BOLD, 7)
    y = _barcode(page, label.tracking_number, y - 26, 52)
    page.text(WIDTH / 2, y - 11, label.tracking_number, BOLD, 10, "centre")
    page.line(MARGIN, y - 16, WIDTH - MARGIN, y - 16)
    return y - 16


def _marks(page: PageOps, marks: tuple[str, ...], top: float) -> float:
    """Hazmat marks, white on black so nobody overlooks them."""
    y = top
    for mark in marks:
        page.rect(MARGIN, y - 13, WIDTH - 2 * MARGIN, 12)
        page.gray(1)
        page.text(WIDTH / 2, y - 10, mark, BOLD, 8, "centre")
        page.gray(0)
        y -= 14
    return y


def _packaging_lines(packaging: tuple[str, ...], width: float, size: float) -> list[str]:
    lines = ["PACKAGING:"]
    for step in packaging:
        lines.extend(simpleSplit(f"- {step}", BODY, size, width))
    return lines


def _bottom(page: PageOps, label: ShippingLabel, top: float) -> bool:
    """QR code and the packaging text beside it; False when the text needs a page of its own."""
    size = min(top - MARGIN, 1.45 * inch)
    _qr(page, label.qr_payload, MARGIN, MARGIN, size)
    x = MARGIN + size + 6
    y = MARGIN + size - 8
    page.text(x, y, "RETURN " + label.rma_number, BOLD, 8)
    if label.reference:
        y -= 10
        page.text(x, y, f"Ref {label.reference}", BODY, 7)
    if not label.packaging:
        return True
    lines = _packaging_lines(label.packaging, WIDTH - MARGIN - x, 6)
    y -= 12
    if len(lines) * 7 > y - MARGIN:
        page.text(x, y, "PACKAGING INSTRUCTIONS: SEE PAGE 2", BOLD, 6)
        return False
    for i, line in enumerate(lines):
        page.text(x, y, line, BOLD if i == 0 else BODY, 6)
        y -= 7
    return True


def _packaging_page(page: PageOps, label: ShippingLabel) -> None:
    y = HEIGHT - MARGIN - 14
    page.text(MARGIN, y, f"Return {label.rma_number}: packaging instructions", BOLD, 11)
    y -= 18
    for line in _packaging_lines(label.packaging, WIDTH - 2 * MARGIN, 10)[1:]:
        page.text(MARGIN, y, line, BODY, 10)
        y -= 13


def render_pdf(label: ShippingLabel) -> bytes:
    """The label as a one-page (two with long packaging text) 4×6 inch PDF."""
    buf = io.BytesIO()
    # invariant: no creation date or random id in the file, so equal labels give equal bytes.
    c = Canvas(buf, pagesize=(WIDTH, HEIGHT), invariant=True, pageCompression=0)
    c.setTitle(f"Return label {label.rma_number}")
    # reportlab names the fonts' resources; the operators below are written directly for speed.
    fonts = {name: c._doc.getInternalFontName(name) for name in (BODY, BOLD)}
    page = PageOps(fonts)
    y = _header(page, label, HEIGHT - MARGIN)
    y = _addresses(page, label, y)
    y = _codes(page, label, y)
    y = _marks(page, label.hazmat_marks, y - 2)
    fits = _bottom(page, label, y - 2)
    c.addLiteral(page.source())
    c.showPage()
    if not fits:
        second = PageOps(fonts)
        _packaging_page(second, label)
        c.addLiteral(second.source())
        c.showPage()
    c.save()
    return buf.getvalue()
