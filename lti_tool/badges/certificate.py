"""Printable PDF certificate for a "Passeport pour l'économie numérique".

One A4 landscape page, drawn with reportlab only (no image fetched from
anywhere, standard PDF fonts so nothing is embedded): an emblem drawn with
shapes, the bilingual title, the holder (or "Titulaire anonyme / Anonymous
holder"), the company and its SIREN when declared, the modules passed with
their score and date, the issue date, the credential id and a QR code that
encodes exactly ``verify_url``, the public verification page.

Every piece of user text is cleaned before it is drawn: control and format
characters are stripped, whitespace is collapsed, and characters that the
standard fonts (WinAnsi encoding: é, è, à, ç, œ, «, », €, ’… are all in it)
cannot show are folded to their base letter (ř → r) or replaced by "?".
Text is drawn with the canvas API, never parsed as markup, so ``<`` and ``&``
need no escaping. Long names, long titles and long module lists are shrunk
and wrapped to stay on the one page.
"""
from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

__all__ = ["CertificateData", "CertificateModule", "date_en", "date_fr", "format_siren", "render_certificate"]


@dataclass(frozen=True)
class CertificateModule:
    title_fr: str
    title_en: str
    score: float  # 0..1
    passed_on: date


@dataclass(frozen=True)
class CertificateData:
    credential_id: str  # e.g. "https://passeport.example.org/credentials/3f2a…"
    verify_url: str  # the public verification page; the QR code encodes exactly this
    issued_on: date
    modules: tuple[CertificateModule, ...]
    holder_name: str | None = None  # only when the holder consented
    company_name: str | None = None  # only when declared
    company_siren: str | None = None
    revoked: bool = False  # a revoked credential's PDF says so in large type


# --- dates, numbers -------------------------------------------------------

_MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def date_fr(day: date) -> str:
    """'12 novembre 2026', '1er mars 2026' (French ordinal for the first day)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_MONTHS_FR[day.month - 1]} {day.year}"


def date_en(day: date) -> str:
    """'12 November 2026'."""
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def format_siren(siren: str) -> str:
    """'123456789' → '123 456 789'; anything that is not nine digits is only cleaned."""
    digits = "".join(ch for ch in siren if ch.isdigit())
    if len(digits) == 9 and digits.isascii():
        return f"{digits[0:3]} {digits[3:6]} {digits[6:9]}"
    return clean_text(siren)


def format_score(score: float) -> str:
    """0.875 → '88 %'; clamped to 0..100, and never '100 %' for an imperfect score."""
    try:
        value = Decimal(str(float(score)))
    except (TypeError, ValueError):
        value = Decimal(0)
    if value.is_nan():
        value = Decimal(0)
    value = min(max(value, Decimal(0)), Decimal(1))
    percent = int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if percent == 100 and value < 1:
        percent = 99
    return f"{percent} %"


# --- text cleaning ---------------------------------------------------------

# Letters that have no Unicode decomposition to a base letter WinAnsi has.
_FOLD = {
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ı": "i",
    "ŀ": "l", "Ŀ": "L", "ŧ": "t", "Ŧ": "T", "ĸ": "k", "ŋ": "n", "Ŋ": "N",
    "ə": "e", "Ə": "E", "ʼ": "’", "‐": "-", "‑": "-", "‒": "–", "―": "—",
    "′": "'", "″": '"', "…": "…",
}
_WHITESPACE_CONTROLS = set("\t\n\r\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029")


def _encodable(ch: str) -> bool:
    try:
        ch.encode("cp1252")  # reportlab's standard fonts use WinAnsiEncoding (= cp1252)
    except UnicodeEncodeError:
        return False
    return True


def _fold(ch: str) -> str:
    if _encodable(ch):
        return ch
    if ch in _FOLD and _encodable(_FOLD[ch]):
        return _FOLD[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = "".join(
        part for part in decomposed
        if not unicodedata.combining(part) and _encodable(part) and unicodedata.category(part)[0] != "C"
    )
    if kept:
        return kept
    if unicodedata.category(ch).startswith("Z"):
        return " "
    return "?"


def clean_text(text: str | None) -> str:
    """User text made safe to draw: no control/format characters, one line, WinAnsi only."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    out = []
    for ch in text:
        if ch in _WHITESPACE_CONTROLS:
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue  # NUL, BEL, zero-width and bidi overrides, lone surrogates, unassigned…
        else:
            out.append(_fold(ch))
    return " ".join("".join(out).split())


# --- layout helpers --------------------------------------------------------

BLUE = HexColor("#000091")
INK = HexColor("#161616")
GREY = HexColor("#555555")
LIGHT = HexColor("#DDDDEE")
ROW_TINT = HexColor("#F3F3FB")
RED = HexColor("#C9191E")

REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"
MONO = "Courier"

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 46.0


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


def _fit_size(text: str, font: str, largest: float, smallest: float, width: float) -> float:
    """The largest size (step 0.5 pt) at which the text fits on one line, or ``smallest``."""
    size = largest
    while size > smallest and _width(text, font, size) > width:
        size -= 0.5
    return max(size, smallest)


def _ellipsize(text: str, font: str, size: float, width: float) -> str:
    if _width(text, font, size) <= width:
        return text
    while text and _width(text.rstrip() + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, font: str, size: float, width: float, max_lines: int | None = None,
          break_anywhere: bool = False) -> list[str]:
    """Greedy word wrap (words longer than the line are cut); the last allowed line gets '…'."""
    if not text:
        return [""]
    lines: list[str] = []
    current = ""
    tokens = list(text) if break_anywhere else text.split(" ")
    joiner = "" if break_anywhere else " "
    for token in tokens:
        candidate = f"{current}{joiner}{token}" if current else token
        if _width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = token
        while _width(current, font, size) > width and len(current) > 1:  # a word longer than a line
            cut = len(current)
            while cut > 1 and _width(current[:cut], font, size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if max_lines is not None and len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1:]) if not break_anywhere else "".join(lines[max_lines - 1:])
        lines = lines[: max_lines - 1] + [_ellipsize(rest, font, size, width)]
    return lines


def _fit_lines(text: str, font: str, largest: float, smallest: float, width: float,
               max_lines: int, break_anywhere: bool = False) -> tuple[float, list[str]]:
    """Shrink to fit one line; below ``smallest``, wrap to at most ``max_lines`` lines."""
    size = _fit_size(text, font, largest, smallest, width)
    if _width(text, font, size) <= width:
        return size, [text]
    return size, _wrap(text, font, size, width, max_lines, break_anywhere)


# --- the drawing -----------------------------------------------------------

def _draw_emblem(c: Canvas, cx: float, cy: float, r: float) -> None:
    """A seal: a ring of dots around a globe crossed by a network of linked nodes."""
    c.saveState()
    c.setStrokeColor(BLUE)
    c.setFillColor(BLUE)
    c.setLineWidth(2.2)
    c.circle(cx, cy, r, stroke=1, fill=0)
    c.setLineWidth(0.7)
    c.circle(cx, cy, r * 0.86, stroke=1, fill=0)
    # ring of small dots between the two circles
    for i in range(32):
        angle = 2 * math.pi * i / 32
        c.circle(cx + r * 0.93 * math.cos(angle), cy + r * 0.93 * math.sin(angle), r * 0.022, stroke=0, fill=1)
    # globe
    g = r * 0.6
    c.setLineWidth(1.1)
    c.circle(cx, cy, g, stroke=1, fill=0)
    c.setLineWidth(0.6)
    for k in (0.35, 0.72):
        c.ellipse(cx - g * k, cy - g, cx + g * k, cy + g, stroke=1, fill=0)
    c.line(cx, cy - g, cx, cy + g)
    for fraction in (-0.5, 0.0, 0.5):
        y = cy + g * fraction
        half = g * math.sqrt(1 - fraction * fraction)
        c.line(cx - half, y, cx + half, y)
    # network: three nodes linked over the globe
    nodes = [(cx - g * 0.95, cy + g * 0.55), (cx + g * 0.15, cy + g * 1.05), (cx + g * 1.0, cy - g * 0.35)]
    c.setStrokeColor(BLUE)
    c.setLineWidth(1.4)
    c.line(*nodes[0], *nodes[1])
    c.line(*nodes[1], *nodes[2])
    for x, y in nodes:
        c.setFillColor(white)
        c.circle(x, y, r * 0.1, stroke=0, fill=1)
        c.setFillColor(BLUE)
        c.circle(x, y, r * 0.075, stroke=0, fill=1)
    c.restoreState()


def _qr_matrix(url: str) -> list[list[bool]]:
    """The QR code's modules (no quiet zone): encodes exactly ``url``."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


def _draw_qr(c: Canvas, matrix: list[list[bool]], x: float, top: float, symbol_size: float) -> float:
    """Draw the QR code (vector modules, crisp at any print resolution) with a
    4-module white quiet zone; ``symbol_size`` is the side of the code itself.
    Returns the side of the whole square, quiet zone included."""
    modules = len(matrix)
    unit = symbol_size / modules
    quiet = 4 * unit
    side = symbol_size + 2 * quiet
    c.saveState()
    c.setFillColor(white)
    c.setStrokeColor(LIGHT)
    c.setLineWidth(0.5)
    c.rect(x, top - side, side, side, stroke=1, fill=1)
    c.setFillColor(Color(0, 0, 0))
    path = c.beginPath()
    for row, cells in enumerate(matrix):
        y = top - quiet - (row + 1) * unit
        col = 0
        while col < modules:
            if cells[col]:
                start = col
                while col < modules and cells[col]:
                    col += 1
                # a hair of overlap so that adjacent runs print without seams
                path.rect(x + quiet + start * unit, y - 0.01, (col - start) * unit + 0.01, unit + 0.02)
            else:
                col += 1
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()
    return side


@dataclass
class _ModuleRow:
    number: str
    fr_lines: list[str]
    en_lines: list[str]
    score: str
    date_fr: str
    date_en: str
    height: float


def _layout_modules(modules: tuple[CertificateModule, ...], width: float, height: float):
    """Pick the largest font size (and 1 or 2 columns) at which every module fits in the box."""
    entries = [
        (clean_text(m.title_fr), clean_text(m.title_en), format_score(m.score),
         date_fr(m.passed_on), date_en(m.passed_on))
        for m in modules
    ]
    # Prefer large type with titles wrapped on up to three lines; then shorter
    # titles (ellipsis) before type too small to read on paper.
    for max_title_lines, largest, smallest in ((3, 12.0, 6.5), (2, 8.0, 6.0), (1, 8.0, 5.5)):
        size = largest
        while size >= smallest:
            for columns in (1, 2):
                layout = _try_layout(entries, width, height, size, columns, max_title_lines)
                if layout is not None:
                    return layout
            size -= 0.5
    # Only for lists far longer than the 18 modules of the course: "… and N more".
    return _try_layout(entries, width, height, 5.5, 2, max_title_lines=1, allow_overflow=True)


def _try_layout(entries, width, height, size, columns, max_title_lines, allow_overflow=False):
    gutter = 18.0
    col_w = (width - gutter * (columns - 1)) / columns
    leading = size * 1.2
    small = size * 0.9
    number_w = _width("18.", BOLD, size) + 5
    score_w = _width("100 %", BOLD, size * 1.1) + 12
    date_w = max([_width(d, REGULAR, small) for e in entries for d in (e[3], e[4])] + [0]) + 4
    title_w = col_w - number_w - score_w - date_w - 10
    if title_w < 60:
        return None
    header_h = leading * 1.4
    pad = max(1.5, size * 0.35)
    rows = []
    for index, (fr, en, score, dfr, den) in enumerate(entries, start=1):
        fr_lines = _wrap(fr, BOLD, size, title_w, max_title_lines)
        en_lines = _wrap(en, ITALIC, size * 0.95, title_w, max_title_lines)
        row_h = max(len(fr_lines) + len(en_lines), 2) * leading + 2 * pad
        rows.append(_ModuleRow(f"{index}.", fr_lines, en_lines, score, dfr, den, row_h))
    placed: list[list[_ModuleRow]] = [[] for _ in range(columns)]
    column, used = 0, header_h
    overflow = 0
    for i, row in enumerate(rows):
        if used + row.height > height:
            column += 1
            used = header_h
            if column >= columns:
                if not allow_overflow:
                    return None
                overflow = len(rows) - i
                break
        placed[column].append(row)
        used += row.height
    if overflow:
        # make room for the "… and N more" line in the last column
        last = placed[-1]
        while last and sum(r.height for r in last) + header_h + leading * 1.5 > height:
            last.pop()
            overflow += 1
    return {
        "size": size, "leading": leading, "small": small, "columns": placed, "col_w": col_w,
        "gutter": gutter, "number_w": number_w, "score_w": score_w, "date_w": date_w,
        "title_w": title_w, "header_h": header_h, "pad": pad, "overflow": overflow,
    }


def _draw_modules(c: Canvas, modules: tuple[CertificateModule, ...], x: float, top: float, width: float,
                  height: float) -> None:
    if not modules:
        c.setFont(ITALIC, 10)
        c.setFillColor(GREY)
        c.drawString(x, top - 14, "Aucun module validé / No module passed")
        return
    layout = _layout_modules(modules, width, height)
    size, leading, small = layout["size"], layout["leading"], layout["small"]
    pad = layout["pad"]
    for index, rows in enumerate(layout["columns"]):
        if not rows:
            continue
        left = x + index * (layout["col_w"] + layout["gutter"])
        right = left + layout["col_w"]
        y = top
        # column headers
        c.setFont(BOLD, size * 0.8)
        c.setFillColor(GREY)
        baseline = y - size * 0.9
        c.drawString(left + layout["number_w"], baseline, "MODULE")
        c.drawRightString(right - layout["date_w"] - 10, baseline, "SCORE")
        c.drawRightString(right - 2, baseline, "DATE")
        y -= layout["header_h"]
        c.setStrokeColor(BLUE)
        c.setLineWidth(0.8)
        c.line(left, y + leading * 0.25, right, y + leading * 0.25)
        for n, row in enumerate(rows):
            if n % 2 == 0:
                c.setFillColor(ROW_TINT)
                c.rect(left, y - row.height + leading * 0.25, right - left, row.height, stroke=0, fill=1)
            line_y = y - pad - size * 0.95 + leading * 0.25
            c.setFillColor(BLUE)
            c.setFont(BOLD, size)
            c.drawString(left + 2, line_y, row.number)
            c.setFont(BOLD, size * 1.1)
            score_y = y + leading * 0.25 - row.height / 2 - size * 0.38
            c.drawRightString(right - layout["date_w"] - 10, score_y, row.score)
            c.setFillColor(INK)
            c.setFont(REGULAR, small)
            c.drawRightString(right - 2, line_y, row.date_fr)
            c.setFillColor(GREY)
            c.drawRightString(right - 2, line_y - leading, row.date_en)
            c.setFillColor(INK)
            c.setFont(BOLD, size)
            text_x = left + layout["number_w"]
            for line in row.fr_lines:
                c.drawString(text_x, line_y, line)
                line_y -= leading
            c.setFillColor(GREY)
            c.setFont(ITALIC, size * 0.95)
            for line in row.en_lines:
                c.drawString(text_x, line_y, line)
                line_y -= leading
            y -= row.height
        if index == len(layout["columns"]) - 1 and layout["overflow"]:
            c.setFont(ITALIC, size)
            c.setFillColor(GREY)
            count = layout["overflow"]
            c.drawString(left + layout["number_w"], y - leading,
                         f"… et {count} autre(s) module(s) / and {count} more module(s)")


def _draw_revoked_stamp(c: Canvas, cx: float, cy: float, width: float) -> None:
    """A large translucent red stamp across the modules (kept clear of the QR code)."""
    text = "RÉVOQUÉ / REVOKED"
    angle = 16
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    size = 72.0
    while size > 30:
        box_w, box_h = _width(text, BOLD, size) + size * 0.6, size * 1.25
        if box_w * cos + box_h * sin <= width:
            break
        size -= 2
    box_w, box_h = _width(text, BOLD, size) + size * 0.6, size * 1.25
    c.saveState()
    c.translate(cx, cy)
    c.rotate(angle)
    c.setFillColor(RED)
    c.setStrokeColor(RED)
    c.setFillAlpha(0.2)
    c.setStrokeAlpha(0.55)
    c.setLineWidth(3.5)
    c.roundRect(-box_w / 2, -box_h / 2, box_w, box_h, size * 0.15, stroke=1, fill=0)
    c.setFont(BOLD, size)
    c.drawCentredString(0, -size * 0.35, text)
    c.restoreState()


def render_certificate(data: CertificateData) -> bytes:
    """The certificate as a one-page A4 landscape PDF."""
    if not data.verify_url:
        raise ValueError("a certificate needs the URL of its verification page")
    holder = clean_text(data.holder_name)
    company = clean_text(data.company_name)
    siren = format_siren(data.company_siren) if data.company_siren and data.company_siren.strip() else ""
    credential_id = clean_text(data.credential_id)
    shown_url = clean_text(data.verify_url)

    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1, lang="fr")
    c.setTitle("Passeport pour l'économie numérique / Digital Economy Passport")
    c.setAuthor("Passeport")
    c.setSubject(
        "Certificat du Passeport pour l'économie numérique / Digital Economy Passport certificate"
        + (f" — {credential_id}" if credential_id else "")
    )
    c.setKeywords("Passeport, économie numérique, Open Badge, certificat, digital economy, certificate")
    c.setCreator("Passeport")

    # frame: a strong outer rule, a hairline inside it
    c.setStrokeColor(BLUE)
    c.setLineWidth(2.5)
    c.rect(18, 18, PAGE_W - 36, PAGE_H - 36, stroke=1, fill=0)
    c.setLineWidth(0.6)
    c.rect(24, 24, PAGE_W - 48, PAGE_H - 48, stroke=1, fill=0)

    left, right = MARGIN, PAGE_W - MARGIN
    content_w = right - left

    # header: emblem, title, subtitle; issue date on the right
    top = PAGE_H - 40
    emblem_r = 36
    _draw_emblem(c, left + emblem_r, top - emblem_r - 2, emblem_r)
    title_x = left + 2 * emblem_r + 18
    issued_w = max(_width(date_fr(data.issued_on), BOLD, 11), _width("DÉLIVRÉ LE / ISSUED ON", BOLD, 7.5)) + 4
    title_size = _fit_size("Passeport pour l'économie numérique", BOLD, 27, 18, right - issued_w - 16 - title_x)
    c.setFillColor(BLUE)
    c.setFont(BOLD, title_size)
    c.drawString(title_x, top - 34, "Passeport pour l'économie numérique")
    c.setFillColor(GREY)
    c.setFont(ITALIC, 15)
    c.drawString(title_x, top - 56, "Digital Economy Passport")

    c.setFillColor(GREY)
    c.setFont(BOLD, 7.5)
    c.drawRightString(right, top - 14, "DÉLIVRÉ LE / ISSUED ON")
    c.setFillColor(INK)
    c.setFont(BOLD, 11)
    c.drawRightString(right, top - 29, date_fr(data.issued_on))
    c.setFillColor(GREY)
    c.setFont(REGULAR, 10)
    c.drawRightString(right, top - 43, date_en(data.issued_on))
    if data.revoked:
        label = "RÉVOQUÉ / REVOKED"
        c.setFont(BOLD, 11)
        w = _width(label, BOLD, 11)
        c.setFillColor(RED)
        c.roundRect(right - w - 12, top - 66, w + 12, 16, 3, stroke=0, fill=1)
        c.setFillColor(white)
        c.drawRightString(right - 6, top - 61.5, label)

    y = top - 2 * emblem_r - 14
    c.setStrokeColor(BLUE)
    c.setLineWidth(1)
    c.line(left, y, right, y)

    # holder
    y -= 18
    c.setFillColor(GREY)
    c.setFont(REGULAR, 9.5)
    c.drawString(left, y, "délivré à / awarded to")
    name = holder or "Titulaire anonyme / Anonymous holder"
    name_font = BOLD if holder else ITALIC
    name_size, name_lines = _fit_lines(name, name_font, 24, 14, content_w, max_lines=2)
    c.setFillColor(INK if holder else GREY)
    c.setFont(name_font, name_size)
    y -= name_size * 1.05
    for i, line in enumerate(name_lines):
        if i:
            y -= name_size * 1.1
        c.drawString(left, y, line)

    if company or siren:
        parts = []
        if company:
            parts.append(f"Entreprise / Company : {company}")
        if siren:
            parts.append(f"SIREN {siren}")
        company_line = "  ·  ".join(parts)
        size = _fit_size(company_line, REGULAR, 11, 7.5, content_w)
        y -= size + 7
        c.setFillColor(INK)
        c.setFont(REGULAR, size)
        c.drawString(left, y, _ellipsize(company_line, REGULAR, size, content_w))

    # body: the modules on the left, the QR code on the right
    body_top = y - 16
    footer_top = 78
    qr_column_w = 168.0
    modules_w = content_w - qr_column_w - 22
    c.setFillColor(BLUE)
    c.setFont(BOLD, 11)
    c.drawString(left, body_top - 11, f"Modules validés / Modules passed ({len(data.modules)})")
    _draw_modules(c, tuple(data.modules), left, body_top - 20, modules_w, body_top - 20 - footer_top)

    qr_x = right - qr_column_w
    c.setStrokeColor(LIGHT)
    c.setLineWidth(0.6)
    c.line(qr_x - 11, body_top, qr_x - 11, footer_top + 4)
    c.setFillColor(BLUE)
    c.setFont(BOLD, 11)
    c.drawCentredString(qr_x + qr_column_w / 2, body_top - 11, "Vérification / Verification")
    symbol = 4.0 * cm
    matrix = _qr_matrix(data.verify_url)
    modules_count = len(matrix)
    side = symbol * (modules_count + 8) / modules_count
    if side > qr_column_w:  # very long URLs: keep the whole square in the column
        side = qr_column_w
        symbol = side * modules_count / (modules_count + 8)
    qr_left = qr_x + (qr_column_w - side) / 2
    qr_top = body_top - 20
    _draw_qr(c, matrix, qr_left, qr_top, symbol)
    url_size, url_lines = _fit_lines(shown_url, MONO, 8, 6, qr_column_w, max_lines=5, break_anywhere=True)
    c.setFillColor(INK)
    c.setFont(MONO, url_size)
    uy = qr_top - side - url_size - 5
    for line in url_lines:
        c.drawCentredString(qr_x + qr_column_w / 2, uy, line)
        uy -= url_size * 1.2

    # footer: how to verify, then the credential id
    c.setStrokeColor(BLUE)
    c.setLineWidth(0.6)
    c.line(left, footer_top, right, footer_top)
    sentences = (
        (f"Vérifiez l'authenticité de ce passeport en scannant le code ou sur {shown_url}", REGULAR, INK),
        (f"Verify this passport by scanning the code or at {shown_url}", ITALIC, GREY),
    )
    fy = footer_top - 12
    for text, font, colour in sentences:
        size, lines = _fit_lines(text, font, 8.5, 6, content_w, max_lines=2)
        c.setFillColor(colour)
        c.setFont(font, size)
        for line in lines[:2]:
            c.drawString(left, fy, line)
            fy -= round(size * 1.25)
    label = "Identifiant / Credential ID : "
    c.setFillColor(GREY)
    c.setFont(REGULAR, 7)
    c.drawString(left, 32, label)
    id_x = left + _width(label, REGULAR, 7)
    id_size = _fit_size(credential_id, MONO, 7, 5, right - id_x)
    c.setFont(MONO, id_size)
    c.drawString(id_x, 32, _ellipsize(credential_id, MONO, id_size, right - id_x))

    if data.revoked:
        _draw_revoked_stamp(c, left + modules_w / 2, (body_top + footer_top) / 2, modules_w)

    c.showPage()
    c.save()
    return buffer.getvalue()
