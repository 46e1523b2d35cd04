"""Badge artwork drawn here (no external assets): an SVG and a PNG per achievement, and the passport picture.

Each module badge has its own colour, its number and its name, so two badges side by side are told
apart at a glance; the passport uses the certificate's navy and gold. Every picture carries its text
alternative (``<title>`` and ``aria-label`` in SVG; ``alt`` where a page shows the PNG).
"""
from __future__ import annotations

import colorsys
import io
import textwrap
from functools import lru_cache
from importlib.resources import files
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

BLUE, GOLD, WHITE = "#000091", "#c9a227", "#ffffff"
SIZE = 400
MODULES = 18


def label(order: int | None) -> str:
    """The big mark in the middle: the module number, or P for the passport."""
    return "P" if order is None else str(order)


def colour(order: int | None) -> str:
    """Navy for the passport; for module n, a hue of its own, dark enough for white text (contrast ≥ 7:1)."""
    if order is None:
        return BLUE
    red, green, blue = colorsys.hls_to_rgb(((order - 1) % MODULES) / MODULES, 0.24, 0.75)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def alt_text(order: int | None, title: str) -> str:
    """What a screen reader says for the badge."""
    if order is None:
        return f"Badge du {title}"
    return f"Badge du module {order} du Passeport : {title}"


def _lines(title: str) -> list[str]:
    """The name on up to three lines; French spacing kept (no line starts with a colon)."""
    wrapped = textwrap.wrap(title.replace(" :", "\u00a0:").replace(" ;", "\u00a0;"), 20)
    lines = wrapped[:3]
    if len(wrapped) > 3:
        lines[-1] = lines[-1][:19].rstrip() + "…"
    return lines


def _heading(order: int | None) -> str:
    return "PASSEPORT" if order is None else f"MODULE {order}"


@lru_cache(maxsize=64)
def svg(order: int | None, title: str) -> bytes:
    alt, fill = escape(alt_text(order, title)), colour(order)
    lines = "".join(f'<text x="200" y="{268 + 26 * i}" font-family="sans-serif" font-size="22" fill="{WHITE}" '
                    f'text-anchor="middle">{escape(line)}</text>' for i, line in enumerate(_lines(title)))
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" \
role="img" aria-label="{alt}">
<title>{alt}</title>
<circle cx="200" cy="200" r="190" fill="{fill}"/>
<circle cx="200" cy="200" r="172" fill="none" stroke="{GOLD}" stroke-width="8"/>
<text x="200" y="100" font-family="sans-serif" font-size="22" font-weight="bold" letter-spacing="3" fill="{WHITE}" \
text-anchor="middle">{_heading(order)}</text>
<text x="200" y="215" font-family="sans-serif" font-size="110" font-weight="bold" fill="{WHITE}" \
text-anchor="middle">{escape(label(order))}</text>
{lines}
</svg>""".encode()


@lru_cache(maxsize=64)
def png(order: int | None, title: str) -> bytes:
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, SIZE - 10, SIZE - 10), fill=colour(order))
    draw.ellipse((28, 28, SIZE - 28, SIZE - 28), outline=GOLD, width=8)
    draw.text((SIZE / 2, 92), _heading(order), fill=WHITE, anchor="mm", font=_font(22, bold=True))
    draw.text((SIZE / 2, 178), label(order), fill=WHITE, anchor="mm", font=_font(110, bold=True))
    for i, line in enumerate(_lines(title)):
        draw.text((SIZE / 2, 262 + 26 * i), line, fill=WHITE, anchor="mm", font=_font(22))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def progress_svg(passed: int, needed: int, earned: bool, description: str) -> str:
    """The passport booklet as the learner's page shows it: navy and gold like the certificate, one
    stamp per module that counts (filled when passed), and 'n/needed' or the earned seal."""
    stamps = "".join(
        f'<circle cx="{70 + i * (180 / max(needed - 1, 1)):.0f}" cy="150" r="26" '
        + (f'fill="{GOLD}"/>' if i < passed else f'fill="none" stroke="{GOLD}" stroke-width="3" '
                                                 f'stroke-dasharray="6 5"/>')
        for i in range(needed))
    status = "✓" if earned else f"{min(passed, needed)}/{needed}"
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 220" width="320" height="220" role="img" \
aria-label="{escape(description)}" class="passport-picture">
<title>{escape(description)}</title>
<rect x="4" y="4" width="312" height="212" rx="16" fill="{BLUE}"/>
<rect x="16" y="16" width="288" height="188" rx="10" fill="none" stroke="{GOLD}" stroke-width="2"/>
<text x="160" y="52" font-family="sans-serif" font-size="18" font-weight="bold" letter-spacing="3" fill="{GOLD}" \
text-anchor="middle">PASSEPORT</text>
<text x="160" y="76" font-family="sans-serif" font-size="12" fill="{WHITE}" text-anchor="middle">pour l'économie \
numérique</text>
{stamps}
<text x="160" y="198" font-family="sans-serif" font-size="20" font-weight="bold" fill="{WHITE}" \
text-anchor="middle">{escape(status)}</text>
</svg>"""


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False):
    """Bitstream Vera, shipped with reportlab (already a dependency for the certificate): accents included."""
    path = files("reportlab") / "fonts" / ("VeraBd.ttf" if bold else "Vera.ttf")
    return ImageFont.truetype(str(path), size)
