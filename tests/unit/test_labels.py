"""Return labels: every barcode on the PDF decodes to what it stands for; ZPL matches its golden file."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from returnflow.adapters.labels import render
from returnflow.adapters.labels.offline import OfflineCarrierLabels, routing_code
from returnflow.domain.hazmat import rule_for
from returnflow.domain.labels import LabelAddress, ShippingLabel
from returnflow.domain.tracking_numbers import is_valid
from returnflow.services.label_port import CarrierLabelPort, LabelRequest

GOLDEN = Path(__file__).parent.parent / "fixtures" / "labels"


def request(hazmat_class: str | None = "lithium_ion", postal_code: str = "43215") -> LabelRequest:
    rule = rule_for(hazmat_class)
    return LabelRequest(
        rma_number="RMA-7K3Q-9X2M",
        carrier="ReturnFlow Ground",
        service_name="Ground 3-5 days",
        ship_from=LabelAddress("Dana Whitfield", "12 Elm Street", "Springfield", "62704", "US", region="IL"),
        ship_to=LabelAddress(
            "Columbus Returns Center", "Returns receiving CMH1", "Columbus", postal_code, "US", region="OH"
        ),
        weight_grams=1250,
        reference="ORD-1001",
        hazmat_marks=rule.marks,
        packaging=rule.packaging,
    )


def issue(req: LabelRequest) -> ShippingLabel:
    carrier: CarrierLabelPort = OfflineCarrierLabels()
    return carrier.issue(req)


def decoded(pdf: bytes, page: int = 0) -> dict[str, str]:
    """Barcode format -> text for every symbol on the rasterised page (GS1 text without parentheses)."""
    image = pdfium.PdfDocument(pdf)[page].render(scale=300 / 72).to_pil()
    found: dict[str, str] = {}
    for symbol in zxingcpp.read_barcodes(image):
        key = "GS1-128" if symbol.content_type == zxingcpp.ContentType.GS1 else symbol.format.name
        found[key] = symbol.text.replace("(", "").replace(")", "") if key == "GS1-128" else symbol.text
    return found


def test_offline_issuer_assigns_a_valid_tracking_number_routing_code_and_qr_payload() -> None:
    label = issue(request())
    assert is_valid(label.tracking_number)
    assert label.routing_code == "42043215"
    assert label.qr_payload == f"RF1:RMA-7K3Q-9X2M:{label.tracking_number}"
    assert label.hazmat_marks == rule_for("lithium_ion").marks
    assert issue(request()).tracking_number == label.tracking_number  # same return, same number


def test_routing_code_keeps_letters_and_digits_of_foreign_postal_codes() -> None:
    assert routing_code("SW1A 1AA") == "420SW1A1AA"
    assert routing_code("43215-1234") == "420432151234"
    with pytest.raises(ValueError):
        routing_code(" - ")


@pytest.mark.parametrize("hazmat_class", ["lithium_ion", None, "aerosol"])
def test_pdf_barcodes_decode_to_tracking_number_routing_code_and_qr_payload(hazmat_class: str | None) -> None:
    label = issue(request(hazmat_class))
    pdf = render(label, "pdf")
    assert pdf.startswith(b"%PDF")
    page = pdfium.PdfDocument(pdf)[0]
    assert (round(page.get_width()), round(page.get_height())) == (288, 432)  # 4 × 6 inches
    codes = decoded(pdf)
    assert codes["GS1-128"] == label.routing_code
    assert codes["Code128"] == label.tracking_number
    assert codes["QRCode"] == label.qr_payload


def test_pdf_prints_the_hazmat_marks_and_packaging_text() -> None:
    label = issue(request("lithium_ion"))
    doc = pdfium.PdfDocument(render(label, "pdf"))
    text = " ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).replace("\r\n", " ")
    for mark in label.hazmat_marks:
        assert mark in text
    assert "Tape over the battery terminals" in text
    assert "Columbus Returns Center" in text and "RMA-7K3Q-9X2M" in text


def test_long_packaging_text_moves_to_a_second_page_that_still_decodes() -> None:
    label = issue(request("lithium_ion"))
    long = ShippingLabel(
        **{**{f: getattr(label, f) for f in label.__slots__}, "packaging": label.packaging * 4}
    )
    pdf = render(long, "pdf")
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) == 2
    assert "packaging instructions" in doc[1].get_textpage().get_text_range()
    assert decoded(pdf)["Code128"] == long.tracking_number


def test_pdf_is_deterministic() -> None:
    label = issue(request())
    assert render(label, "pdf") == render(label, "pdf")


def test_zpl_matches_the_golden_file() -> None:
    zpl = render(issue(request("lithium_ion")), "zpl")
    assert zpl == (GOLDEN / "lithium_ion.zpl").read_bytes()


def test_zpl_encodes_the_codes_and_escapes_reserved_characters() -> None:
    label = issue(request(None))
    zpl = render(label, "zpl").decode()
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert f"^FD{label.tracking_number}^FS" in zpl and "^BCN" in zpl
    assert "^FD(420)43215^FS" in zpl
    assert f"^BQN,2,5^FH^FDMA,{label.qr_payload}^FS" in zpl
    odd = ShippingLabel(**{**{f: getattr(label, f) for f in label.__slots__}, "reference": "A^B~C_D"})
    assert "^FDRef A_5EB_7EC_5FD^FS" in render(odd, "zpl").decode()


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        render(issue(request()), "png")  # type: ignore[arg-type]
