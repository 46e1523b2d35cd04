"""Lesson Markdown to HTML, with links between sections turned into player URLs and external links in a new tab."""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from html import escape

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SECTION_LINK = re.compile(r"^(?P<file>[\w.-]+\.md)(?P<anchor>#[\w-]*)?$")


PLACEHOLDER = "passeport-section:"
PLACED = re.compile(r'href="passeport-section:(?P<file>[\w.-]+\.md)')


class _SectionLinks(Treeprocessor):
    def run(self, root):
        for link in root.iter("a"):
            href = link.get("href", "")
            match = SECTION_LINK.match(href)
            if match:
                link.set("href", PLACEHOLDER + href)  # the player's URL is put in per request (it may carry a token)
            elif href.startswith(("http://", "https://")):
                # inside an LMS iframe an external page must not replace the course frame, nor learn the
                # launch's session token from the Referer
                link.set("target", "_blank")
                link.set("rel", "noopener noreferrer")


class _SectionLinksExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_SectionLinks(md), "passeport_section_links", 5)


@lru_cache(maxsize=2048)
def _converted(text: str) -> str:
    """Markdown converted once per text (a few ms each; content is read-only while serving)."""
    return markdown.markdown(text, extensions=["tables", "sane_lists", "attr_list", _SectionLinksExtension()],
                             output_format="html")


def lesson_html(text: str, url_for_file: Callable[[str], str | None]) -> str:
    """Render a section; the content is reviewed files (no raw HTML passes the content check). Links to
    other sections become player URLs; one to a file that is not a section keeps its file name."""
    html = _converted(text)
    if PLACEHOLDER not in html:
        return html
    return PLACED.sub(lambda m: 'href="' + escape(url_for_file(m["file"]) or m["file"], quote=True), html)
