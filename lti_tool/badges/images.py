"""Badge artwork drawn here (no external assets): an SVG and a PNG per achievement."""
from __future__ import annotations

import io
from functools import lru_cache
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

BLUE, GOLD, WHITE = "#000091", "#c9a227", "#ffffff"
SIZE = 400


def label(order: int | None) -> str:
    """The big mark in the middle: the module number, or P for the passport."""
    return "P" if order is None else str(order)


@lru_cache(maxsize=64)
def svg(order: int | None, title: str) -> bytes:
    mark, caption = escape(label(order)), escape(title[:48])
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}"
 role="img" aria-label="{caption}">
<title>{caption}</title>
<circle cx="200" cy="200" r="190" fill="{BLUE}"/>
<circle cx="200" cy="200" r="160" fill="none" stroke="{GOLD}" stroke-width="10"/>
<text x="200" y="235" font-family="sans-serif" font-size="120" font-weight="bold" fill="{WHITE}"
 text-anchor="middle">{mark}</text>
<text x="200" y="310" font-family="sans-serif" font-size="22" fill="{WHITE}" text-anchor="middle">Passeport</text>
</svg>""".encode()


@lru_cache(maxsize=64)
def png(order: int | None) -> bytes:
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, SIZE - 10, SIZE - 10), fill=BLUE)
    draw.ellipse((40, 40, SIZE - 40, SIZE - 40), outline=GOLD, width=10)
    draw.text((SIZE / 2, SIZE / 2 - 10), label(order), fill=WHITE, anchor="mm", font=_font(120))
    draw.text((SIZE / 2, 300), "Passeport", fill=WHITE, anchor="mm", font=_font(26))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()
