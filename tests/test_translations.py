"""Every interface string has an English translation, and the compiled catalogue matches its source."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[1] / "lti_tool"
CATALOGUE = PACKAGE / "translations" / "en" / "LC_MESSAGES"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]


def _source_messages() -> set[str]:
    found = extract_from_dir(str(PACKAGE), METHODS, keywords={"_": None, "gettext": None})
    return {message[2] if isinstance(message[2], str) else message[2][0] for message in found}


def test_every_interface_string_is_translated_to_english():
    with open(CATALOGUE / "messages.po", "rb") as f:
        catalogue = read_po(f)
    translated = {m.id for m in catalogue if m.id and m.string}
    missing = _source_messages() - translated
    assert not missing, f"add these to messages.po (pybabel extract/update): {sorted(missing)}"


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "messages.po", "rb") as f:
        source = {m.id: m.string for m in read_po(f) if m.id}
    with open(CATALOGUE / "messages.mo", "rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == source, "run: pybabel compile -d lti_tool/translations"
