"""Lesson links inside an LMS iframe: sections stay in the frame, external pages open in a new tab."""
from __future__ import annotations

from lti_tool.player.render import lesson_html


def test_external_links_open_in_a_new_tab_and_section_links_stay():
    html = lesson_html("[CNIL](https://www.cnil.fr/) et [la suite](02-suite.md#plan)",
                       lambda file: "/modules/m/sections/s2" if file == "02-suite.md" else None)
    assert '<a href="https://www.cnil.fr/" rel="noopener noreferrer" target="_blank">CNIL</a>' in html
    assert '<a href="/modules/m/sections/s2#plan">la suite</a>' in html
