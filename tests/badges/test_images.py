"""Badge artwork: each module's badge is its own (colour, number, name) with a text alternative; the passport's
is navy and gold like the certificate."""
from __future__ import annotations

import io

from PIL import Image

from lti_tool import services
from lti_tool.badges import images


def _centre_colour(png: bytes) -> tuple[int, ...]:
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel((200, 40))


def test_each_module_badge_names_its_module_and_looks_its_own(app):
    modules = services.catalogue(app).modules
    colours = set()
    for module in modules:
        svg = app.test_client().get(f"/badges/images/{module.id}.svg").text
        alt = f"Badge du module {module.order} du Passeport : {module.title['fr']}"
        assert f"<title>{alt}</title>" in svg.replace("&amp;", "&")
        assert f">MODULE {module.order}<" in svg and f">{module.order}<" in svg
        assert module.title["fr"].split()[0] in svg
        png = app.test_client().get(f"/badges/images/{module.id}.png").data
        assert Image.open(io.BytesIO(png)).size == (400, 400)
        colours.add(_centre_colour(png))
    assert len(colours) == len(modules)  # told apart at a glance
    passport = app.test_client().get("/badges/images/passport.svg").text
    assert images.BLUE in passport and images.GOLD in passport and ">PASSEPORT<" in passport
    assert _centre_colour(app.test_client().get("/badges/images/passport.png").data) == (0, 0, 0x91)
