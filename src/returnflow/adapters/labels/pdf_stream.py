"""A page's PDF drawing operators, written directly: labels render hundreds a second this way."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth

_SPECIAL = frozenset("()\\")


def _num(v: float) -> str:
    return f"{v:.2f}"


def pdf_string(text: str) -> str:
    """`text` as a PDF literal string for a WinAnsi font (the standard fonts' encoding)."""
    if text.isascii() and text.isprintable() and not _SPECIAL & set(text):
        return "(" + text + ")"
    out = []
    for byte in text.encode("cp1252", "replace"):
        if byte in (0x28, 0x29, 0x5C):  # ( ) \ must be escaped
            out.append("\\" + chr(byte))
        elif 32 <= byte < 127:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    return "(" + "".join(out) + ")"


class PageOps:
    """Collects drawing operators for one page; `fonts` maps font names to the document's resource names."""

    def __init__(self, fonts: dict[str, str]) -> None:
        """Start an empty page."""
        self.fonts = fonts
        self.ops: list[str] = []

    def text(self, x: float, y: float, text: str, font: str, size: float, align: str = "left") -> None:
        """Draw `text` with its baseline at y, left-aligned at x, centred on x or right-aligned at x."""
        if align != "left":
            width = stringWidth(text, font, size)
            x -= width / 2 if align == "centre" else width
        self.ops.append(
            f"BT /{self.fonts[font]} {_num(size)} Tf {_num(x)} {_num(y)} Td {pdf_string(text)} Tj ET"
        )

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        """A filled rectangle in the current fill colour."""
        self.ops.append(f"{_num(x)} {_num(y)} {_num(w)} {_num(h)} re f")

    def line(self, x1: float, y1: float, x2: float, y2: float, width: float = 0.8) -> None:
        """A stroked line."""
        self.ops.append(f"{_num(width)} w {_num(x1)} {_num(y1)} m {_num(x2)} {_num(y2)} l S")

    def gray(self, level: float) -> None:
        """Set the fill colour (0 black, 1 white)."""
        self.ops.append(f"{_num(level)} g")

    def bars(self, x: float, y: float, module: float, bars: list[tuple[int, int]], height: float) -> None:
        """Filled bars at (offset, width) in modules from x, bottom at y: one scaled path, one fill."""
        # Scaling once lets every bar be written in whole modules: integers format fast.
        rects = " ".join(f"{o} 0 {w} 1 re" for o, w in bars)
        self.ops.append(f"q {_num(module)} 0 0 {_num(height)} {_num(x)} {_num(y)} cm {rects} f Q")

    def modules(self, x: float, y: float, cell: float, runs: list[tuple[int, int, int]]) -> None:
        """Square modules (row, first column, length) of a 2-D code whose top-left is (x, y)."""
        rects = " ".join(f"{col} {row} {length} 1 re" for row, col, length in runs)
        # Rows count downwards from the top-left corner, hence the negative y scale.
        self.ops.append(f"q {_num(cell)} 0 0 {_num(-cell)} {_num(x)} {_num(y)} cm {rects} f Q")

    def source(self) -> str:
        """The page's operators, ready for the content stream."""
        return "\n".join(self.ops)
