"""Lesson Markdown to HTML, with links between sections turned into player URLs and external links in a new tab."""
from __future__ import annotations

import re
from collections.abc import Callable

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SECTION_LINK = re.compile(r"^(?P<file>[\w.-]+\.md)(?P<anchor>#[\w-]*)?$")


class _SectionLinks(Treeprocessor):
    def __init__(self, md, url_for_file: Callable[[str], str | None]):
        super().__init__(md)
        self.url_for_file = url_for_file

    def run(self, root):
        for link in root.iter("a"):
            match = SECTION_LINK.match(link.get("href", ""))
            url = match and self.url_for_file(match["file"])
            if match and url:
                link.set("href", url + (match["anchor"] or ""))
            elif link.get("href", "").startswith(("http://", "https://")):
                # inside an LMS iframe an external page must not replace the course frame, nor learn the
                # launch's session token from the Referer
                link.set("target", "_blank")
                link.set("rel", "noopener noreferrer")


class _SectionLinksExtension(Extension):
    def __init__(self, url_for_file):
        super().__init__()
        self.url_for_file = url_for_file

    def extendMarkdown(self, md):
        md.treeprocessors.register(_SectionLinks(md, self.url_for_file), "passeport_section_links", 5)


def lesson_html(text: str, url_for_file: Callable[[str], str | None]) -> str:
    """Render a section; the content is reviewed files (no raw HTML passes the content check)."""
    return markdown.markdown(
        text, extensions=["tables", "sane_lists", "attr_list", _SectionLinksExtension(url_for_file)],
        output_format="html",
    )
