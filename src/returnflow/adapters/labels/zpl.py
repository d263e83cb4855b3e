"""The 4×6 inch return label in ZPL II for 203 dpi thermal printers, written directly."""

from __future__ import annotations

import textwrap

from returnflow.adapters.labels.pdf import FNC1, address_lines, code128_bars, human_routing
from returnflow.domain.labels import ShippingLabel

DOTS_WIDE, DOTS_HIGH = 812, 1218  # 4 × 6 inches at 203 dots per inch
LEFT, RIGHT = 30, 782
PACKAGING_FONT = 20
LINE = PACKAGING_FONT + 2
CHAR_WIDTH = 0.6  # of the font height: wider than font 0's average, so wrapped lines never overflow
QR_X, TEXT_X = LEFT, 210


def field_data(text: str) -> str:
    """`text` safe inside ^FD…^FS: the characters ZPL reserves become ^FH hex escapes."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def _text(x: int, y: int, text: str, height: int, *, width: int | None = None, align: str = "L") -> str:
    block = f"^FB{width},1,0,{align},0" if width else ""
    return f"^FO{x},{y}^A0N,{height},{height}{block}^FH^FD{field_data(text)}^FS"


def _rule(y: int, thickness: int = 3) -> str:
    return f"^FO{LEFT},{y}^GB{RIGHT - LEFT},{thickness},{thickness}^FS"


def _wrap(text: str, width: int, height: int) -> list[str]:
    """`text` broken into lines that fit `width` dots in font 0 of `height` dots."""
    return textwrap.wrap(text, max(8, int(width / (height * CHAR_WIDTH)))) or [""]


def _barcode(y: int, value: str, data: str, height: int, mode: str) -> str:
    """A Code 128 field centred on the label (module width 3 dots, 2 if the symbol would not fit)."""
    _, modules = code128_bars(value)
    module = 3 if modules * 3 <= RIGHT - LEFT - 40 else 2
    x = max(LEFT, int((DOTS_WIDE - modules * module) / 2))
    return f"^FO{x},{y}^BY{module}^BCN,{height},N,N,N,{mode}^FH^FD{data}^FS"


def _header(label: ShippingLabel) -> tuple[list[str], int]:
    out = [
        _text(LEFT, 30, label.carrier.upper(), 50),
        _text(LEFT, 88, label.service_name, 28),
        _text(LEFT, 30, f"{label.weight_grams / 1000:.2f} KG", 40, width=RIGHT - LEFT, align="R"),
        _text(LEFT, 88, f"RMA {label.rma_number}", 24, width=RIGHT - LEFT, align="R"),
        _rule(124),
    ]
    return out, 124


def _addresses(label: ShippingLabel, top: int) -> tuple[list[str], int]:
    y = top + 14
    out = [_text(LEFT, y, "FROM:", 18)]
    for line in address_lines(label.ship_from):
        out.append(_text(LEFT + 80, y, line, 22))
        y += 24
    y += 12
    out.append(_text(LEFT, y, "SHIP TO:", 22))
    for line in address_lines(label.ship_to):
        out.append(_text(LEFT + 120, y, line, 36))
        y += 40
    out.append(_rule(y))
    return out, y


def _codes(label: ShippingLabel, top: int) -> tuple[list[str], int]:
    y = top + 18
    code = label.routing_code
    out = [
        # Mode D (UCC/EAN): the printer adds FNC1 and reads the AI from the parentheses.
        _barcode(y, FNC1 + label.routing_code, f"({code[:3]}){field_data(code[3:])}", 110, "D"),
        _text(LEFT, y + 118, human_routing(label.routing_code), 24, width=RIGHT - LEFT, align="C"),
        _rule(y + 148),
        _text(LEFT, y + 162, "TRACKING #", 20),
    ]
    y += 188
    out += [
        _barcode(y, label.tracking_number, field_data(label.tracking_number), 140, "A"),
        _text(LEFT, y + 148, label.tracking_number, 30, width=RIGHT - LEFT, align="C"),
        _rule(y + 186),
    ]
    return out, y + 186


def _marks(marks: tuple[str, ...], top: int) -> tuple[list[str], int]:
    """Hazmat marks printed white on a black bar (^FR reverses the field over the box)."""
    out: list[str] = []
    y = top + 8
    for mark in marks:
        out.append(f"^FO{LEFT},{y}^GB{RIGHT - LEFT},34,34^FS")
        text = field_data(mark)
        out.append(f"^FO{LEFT},{y + 5}^FR^A0N,26,26^FB{RIGHT - LEFT},1,0,C,0^FH^FD{text}^FS")
        y += 40
    return out, y


def _bottom(label: ShippingLabel, top: int) -> tuple[list[str], bool]:
    """QR code with the RMA and packaging text beside it; False when the text needs its own label."""
    y = top + 8
    # Magnification 5: 5 dots a module; M = error correction level, A = automatic data mode.
    out = [f"^FO{QR_X},{y}^BQN,2,5^FH^FDMA,{field_data(label.qr_payload)}^FS"]
    x = TEXT_X
    out.append(_text(x, y + 20, f"RETURN {label.rma_number}", 24))
    if label.reference:
        out.append(_text(x, y + 50, f"Ref {label.reference}", 20))
    if not label.packaging:
        return out, True
    text_top = y + 84
    width = RIGHT - x
    lines = sum(len(_wrap(f"- {step}", width, PACKAGING_FONT)) for step in label.packaging)
    if text_top + (lines + 1) * LINE > DOTS_HIGH - 20:
        out.append(_text(x, text_top, "PACKAGING INSTRUCTIONS: SEE NEXT LABEL", 18))
        return out, False
    out.append(_text(x, text_top, "PACKAGING:", PACKAGING_FONT))
    out += _packaging(label.packaging, x, text_top + LINE, width)
    return out, True


def _packaging(packaging: tuple[str, ...], x: int, y: int, width: int) -> list[str]:
    out = []
    for step in packaging:
        for line in _wrap(f"- {step}", width, PACKAGING_FONT):
            out.append(_text(x, y, line, PACKAGING_FONT))
            y += LINE
    return out


def _format(body: list[str]) -> str:
    # ^CI28: field data is UTF-8; ^PW/^LL: the 4×6 label; ^LH: origin at its corner.
    return "\n".join(["^XA", "^CI28", f"^PW{DOTS_WIDE}", f"^LL{DOTS_HIGH}", "^LH0,0", *body, "^XZ"]) + "\n"


def render_zpl(label: ShippingLabel) -> bytes:
    """The label as ZPL II (a second label format follows when packaging text does not fit)."""
    body, y = _header(label)
    part, y = _addresses(label, y)
    body += part
    part, y = _codes(label, y)
    body += part
    part, y = _marks(label.hazmat_marks, y)
    body += part
    part, fits = _bottom(label, y)
    body += part
    formats = [_format(body)]
    if not fits:
        steps = [_text(LEFT, 30, f"Return {label.rma_number}: packaging instructions", 32)]
        steps += _packaging(label.packaging, LEFT, 90, RIGHT - LEFT)
        formats.append(_format(steps))
    return "".join(formats).encode("utf-8")
