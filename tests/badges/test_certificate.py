"""The printable PDF certificate: its text, its QR code, its one page."""
from __future__ import annotations

import io
from datetime import date

import pypdf
import pypdfium2
import pytest
import qrcode
import qrcode.constants
import zxingcpp

from lti_tool.badges.certificate import (
    CertificateData,
    CertificateModule,
    clean_text,
    date_en,
    date_fr,
    format_score,
    format_siren,
    render_certificate,
)

VERIFY_URL = "https://passeport.example.org/verify/3f2a9c1e-5b7d-4e8a-9f10-2c3d4e5f6a7b"
CREDENTIAL_ID = "https://passeport.example.org/credentials/3f2a9c1e-5b7d-4e8a-9f10-2c3d4e5f6a7b"
HOLDER = "Zoé Çàvé-Lefèvre <Œuvre> & Fils"

THREE_MODULES = (
    CertificateModule("Se connecter à Internet", "Getting connected to the Internet", 0.875, date(2026, 11, 12)),
    CertificateModule("Facturation électronique 2026–2027", "Electronic invoicing 2026–2027", 1.0, date(2026, 3, 1)),
    CertificateModule("RGPD et données personnelles", "GDPR and personal data", 0.7, date(2026, 8, 30)),
)


def _data(**changes) -> CertificateData:
    fields = {
        "credential_id": CREDENTIAL_ID,
        "verify_url": VERIFY_URL,
        "issued_on": date(2026, 12, 3),
        "modules": THREE_MODULES,
        "holder_name": HOLDER,
        "company_name": "Boulangerie « Au Pain Doré »",
        "company_siren": "123456789",
    }
    fields.update(changes)
    return CertificateData(**fields)


def _reader(pdf: bytes) -> pypdf.PdfReader:
    assert pdf.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in _reader(pdf).pages)


def _page_image(pdf: bytes, dpi: int = 150):
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image = page.render(scale=dpi / 72).to_pil()
        page.close()
        return image
    finally:
        document.close()


def _eighteen_modules() -> tuple[CertificateModule, ...]:
    return tuple(
        CertificateModule(
            f"Module {n:02d} : piloter son activité avec des outils de gestion (SaaS, interopérabilité, réversibilité)",
            f"Module {n:02d}: steering your business with management tools (SaaS, interoperability, reversibility)",
            0.5 + n / 40,
            date(2026, 1 + n % 12, 1 + n),
        )
        for n in range(1, 19)
    )


def test_text_of_a_certificate_with_three_modules():
    pdf = render_certificate(_data())
    reader = _reader(pdf)
    assert len(reader.pages) == 1
    text = _text(pdf)

    assert "Passeport pour l'économie numérique" in text
    assert "Digital Economy Passport" in text
    assert "délivré à / awarded to" in text
    assert HOLDER in text  # accents, <, & and > drawn as they are, not as markup
    assert "&amp;" not in text and "&lt;" not in text
    assert "Boulangerie « Au Pain Doré »" in text
    assert "SIREN 123 456 789" in text
    for module in THREE_MODULES:
        assert module.title_fr in text
        assert module.title_en in text
    assert "88 %" in text and "100 %" in text and "70 %" in text
    assert "12 novembre 2026" in text and "12 November 2026" in text
    assert "1er mars 2026" in text and "1 March 2026" in text
    assert "30 août 2026" in text and "30 August 2026" in text
    assert "3 décembre 2026" in text and "3 December 2026" in text  # the issue date
    assert CREDENTIAL_ID in text
    assert VERIFY_URL in text
    assert f"Vérifiez l'authenticité de ce passeport en scannant le code ou sur {VERIFY_URL}" in text
    assert f"Verify this passport by scanning the code or at {VERIFY_URL}" in text
    assert "RÉVOQUÉ" not in text and "REVOKED" not in text


def test_metadata():
    reader = _reader(render_certificate(_data()))
    assert reader.metadata.title == "Passeport pour l'économie numérique / Digital Economy Passport"
    assert reader.metadata.author == "Passeport"
    assert CREDENTIAL_ID in reader.metadata.subject
    assert reader.trailer["/Root"]["/Lang"] == "fr"


def test_page_is_a4_landscape():
    box = _reader(render_certificate(_data())).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_qr_code_decodes_to_the_verify_url():
    image = _page_image(render_certificate(_data()))
    codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [code.text for code in codes] == [VERIFY_URL]


def test_qr_code_is_at_least_3_5_cm_wide_with_a_quiet_zone():
    dpi = 150
    image = _page_image(render_certificate(_data()), dpi=dpi)
    (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    corners = (code.position.top_left, code.position.top_right, code.position.bottom_left, code.position.bottom_right)
    xs = [p.x for p in corners]
    ys = [p.y for p in corners]
    width_cm = (max(xs) - min(xs)) / dpi * 2.54
    assert width_cm >= 3.5
    # four modules of white all around the symbol
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(VERIFY_URL)
    qr.make(fit=True)
    module = (max(xs) - min(xs)) / len(qr.get_matrix())
    grey = image.convert("L")
    inner, outer = int(module * 0.5), int(module * 3.5)
    left, right, top, bottom = int(min(xs)), int(max(xs)), int(min(ys)), int(max(ys))
    for offset in range(inner, outer):
        for along in range(top, bottom, 2):
            assert grey.getpixel((left - offset, along)) > 200
            assert grey.getpixel((right + offset, along)) > 200
        for along in range(left, right, 2):
            assert grey.getpixel((along, top - offset)) > 200
            assert grey.getpixel((along, bottom + offset)) > 200


def test_qr_code_still_decodes_for_a_long_url():
    url = "https://passeport.example.org/verify/" + "3f2a9c1e5b7d4e8a9f102c3d4e5f6a7b" * 4 + "?lang=fr&x=<1>"
    pdf = render_certificate(_data(verify_url=url))
    codes = zxingcpp.read_barcodes(_page_image(pdf, dpi=200), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [code.text for code in codes] == [url]
    assert len(_reader(pdf).pages) == 1


def test_anonymous_holder_without_company():
    pdf = render_certificate(_data(holder_name=None, company_name=None, company_siren=None))
    text = _text(pdf)
    assert "Titulaire anonyme / Anonymous holder" in text
    assert HOLDER not in text
    assert "Entreprise" not in text and "SIREN" not in text


def test_blank_name_is_anonymous():
    text = _text(render_certificate(_data(holder_name=" \x00\n ")))
    assert "Titulaire anonyme / Anonymous holder" in text


def test_siren_alone():
    text = _text(render_certificate(_data(company_name=None, company_siren="123 456 789")))
    assert "SIREN 123 456 789" in text
    assert "Entreprise" not in text


def test_eighteen_modules_fit_on_one_page():
    modules = _eighteen_modules()
    pdf = render_certificate(_data(modules=modules))
    assert len(_reader(pdf).pages) == 1
    text = _text(pdf)
    assert "Modules validés / Modules passed (18)" in text
    for n in range(1, 19):
        assert f"Module {n:02d} :" in text, n
        assert f"{n}." in text
    assert "autre(s) module(s)" not in text  # nothing left out
    # and the QR code is untouched by the crowded table
    codes = zxingcpp.read_barcodes(_page_image(pdf), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [code.text for code in codes] == [VERIFY_URL]


def test_long_name_stays_on_the_page():
    name = "Marie-Ève Anne-Sophie de la Fontaine-Saint-Hilaire " * 4
    pdf = render_certificate(_data(holder_name=name, company_name="X" * 400, modules=_eighteen_modules()))
    reader = _reader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    positions = []

    def visitor(text, cm, tm, font_dict, font_size):
        if text.strip():
            positions.append((tm[4] * cm[0] + cm[4], text))

    reader.pages[0].extract_text(visitor_text=visitor)
    assert positions
    assert all(0 <= x < float(box.width) - 40 for x, _ in positions)
    assert "Marie-Ève" in _text(pdf)


def test_revoked_says_so():
    pdf = render_certificate(_data(revoked=True))
    text = _text(pdf)
    assert "RÉVOQUÉ / REVOKED" in text
    assert len(_reader(pdf).pages) == 1
    codes = zxingcpp.read_barcodes(_page_image(pdf), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [code.text for code in codes] == [VERIFY_URL]


def test_control_characters_are_removed_from_the_name():
    pdf = render_certificate(_data(holder_name="Al\x00i\x07ce\x1b Du\u200bpont\u202e\nMartin\t"))
    text = _text(pdf)
    assert "Alice Dupont Martin" in text
    for control in ("\x00", "\x07", "\x1b", "\u200b", "\u202e"):
        assert control not in text


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  Zoé   Œuvre  ", "Zoé Œuvre"),
        ("<b>&amp;</b>", "<b>&amp;</b>"),
        ("Łukasz Dvořák", "Lukasz Dvorák"),  # á is in WinAnsi, ř and Ł are folded
        ("a\x00b\x7fc\x9fd", "abcd"),
        ("ligne\r\nsuivante", "ligne suivante"),
        ("Ｆｕｌｌ", "Full"),
        ("名前", "??"),
        (None, ""),
    ],
)
def test_clean_text(raw, cleaned):
    assert clean_text(raw) == cleaned


def test_formats():
    assert format_siren("123456789") == "123 456 789"
    assert format_siren(" 123 456 789 ") == "123 456 789"
    assert format_siren("12345") == "12345"
    assert date_fr(date(2026, 11, 12)) == "12 novembre 2026"
    assert date_fr(date(2026, 2, 1)) == "1er février 2026"
    assert date_fr(date(2026, 8, 15)) == "15 août 2026"
    assert date_en(date(2026, 11, 12)) == "12 November 2026"
    assert format_score(0.875) == "88 %"
    assert format_score(0.995) == "99 %"
    assert format_score(1) == "100 %"
    assert format_score(1.3) == "100 %"
    assert format_score(-0.2) == "0 %"
    assert format_score(float("nan")) == "0 %"


def test_needs_a_verify_url():
    with pytest.raises(ValueError):
        render_certificate(_data(verify_url=""))

