"""Launch values the tool cannot keep as sent, from the independent platform, on both databases: display values
are kept cut to their columns and without NUL characters, identifiers past the specifications' 255 characters or
holding a NUL are a 400, and a language Passeport does not speak falls back."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from lti_tool import database
from lti_tool.models import Context, ResourceLink, User
from tests.peers.lti_platform import CLAIM, SCENARIOS
from xapi.models import Statement

LONG_NAME, LONG_TITLE = "Ada " + "N" * 300, "Commerce en ligne " + "t" * 600

SCENARIOS["long_values"] = lambda message: message.update({
    "name": LONG_NAME, "email": "e" * 400 + "@example.org",
    CLAIM + "context": {**message[CLAIM + "context"], "title": LONG_TITLE, "label": "L" * 300},
    CLAIM + "resource_link": {**message[CLAIM + "resource_link"], "title": LONG_TITLE}})
SCENARIOS["long_sub"] = lambda message: message.update(sub="s" * 256)
SCENARIOS["long_context_id"] = lambda message: message.update(
    {CLAIM + "context": {**message[CLAIM + "context"], "id": "c" * 256}})


def test_long_display_values_are_kept_cut_to_their_columns(tool, platform):
    assert platform.launch(tool.browser(), scenario="long_values", user="long-values").status_code == 200
    with database(tool.app).read() as connection:
        name, email = connection.execute(select(User.name, User.email).where(User.sub == "long-values")).one()
        title, label = connection.execute(select(Context.title, Context.label)).one()
        link_title = connection.execute(select(ResourceLink.title)).scalar_one()
    assert name == LONG_NAME[:255] and email is None
    assert (title, label, link_title) == (LONG_TITLE[:500], "L" * 255, LONG_TITLE[:500])


def test_identifiers_past_255_characters_are_refused_and_nothing_is_stored(tool, platform):
    for scenario, claim in (("long_sub", "sub"), ("long_context_id", "context.id")):
        refused = platform.launch(tool.browser(), scenario=scenario, user="long-ids")
        assert refused.status_code == 400 and claim in refused.text, refused.text[:500]
    with database(tool.app).read() as connection:
        assert connection.execute(select(User.id)).all() == []


SCENARIOS["long_lineitem_url"] = lambda message: message.update({
    "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
        **message["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"],
        "lineitem": "https://lms.example.org/lineitems/" + "1" * 1000}})


def test_a_service_url_longer_than_kept_is_refused_and_nothing_is_stored(tool, platform):
    refused = platform.launch(tool.browser(), scenario="long_lineitem_url", user="long-url")
    assert refused.status_code == 400 and "lineitem" in refused.text, refused.text[:500]
    with database(tool.app).read() as connection:
        assert connection.execute(select(User.id)).all() == []


SCENARIOS["nul_display_values"] = lambda message: message.update({
    "name": "Ada\x00 Lovelace", "email": "ada\x00@example.org",
    CLAIM + "context": {**message[CLAIM + "context"], "title": "Commerce\x00 en ligne"}})
SCENARIOS["nul_sub"] = lambda message: message.update(sub="learner\x00")
SCENARIOS["nul_resource_link_id"] = lambda message: message.update(
    {CLAIM + "resource_link": {**message[CLAIM + "resource_link"], "id": "link\x00"}})


def test_nul_characters_leave_display_values_and_make_identifiers_a_400(tool, platform):
    """PostgreSQL text cannot hold a NUL: names and titles are kept without it, an identifier is refused on every
    database (it must be kept exactly), and nothing of the refused launch is stored."""
    assert platform.launch(tool.browser(), scenario="nul_display_values", user="nul-display").status_code == 200
    with database(tool.app).read() as connection:
        name, email = connection.execute(select(User.name, User.email).where(User.sub == "nul-display")).one()
        title = connection.execute(select(Context.title)).scalar_one()
    assert (name, email, title) == ("Ada Lovelace", None, "Commerce en ligne")
    for scenario, claim in (("nul_sub", "sub"), ("nul_resource_link_id", "resource_link.id")):
        refused = platform.launch(tool.browser(), scenario=scenario, user="nul-ids")
        assert refused.status_code == 400, refused.text[:500]
        assert f"Identifiant(s) du jeton contenant un caractère nul : {claim}." in refused.text
    with database(tool.app).read() as connection:
        assert connection.execute(select(User.sub)).scalars().all() == ["nul-display"]


@pytest.mark.parametrize("sent", ["de-DE", "12", "f\x00r"])
def test_a_launch_language_passeport_does_not_speak_gives_the_french_page_and_valid_statements(tool, platform,
                                                                                                 sent):
    """Only 'fr' and 'en' are spoken: another locale claim (even one that is no language tag) falls back to the
    browser's choice, French here, for the page and the statements' language; before, '12' failed the launch."""
    SCENARIOS["locale"] = lambda message: message.update({CLAIM + "launch_presentation": {"locale": sent}})
    launched = platform.launch(tool.browser(), scenario="locale", user="elsewhere")
    assert launched.status_code == 200 and '<html lang="fr">' in launched.text, launched.text[:500]
    with database(tool.app).read() as connection:
        documents = connection.execute(select(Statement.document)).scalars().all()
    assert len(documents) == 2 and {json.loads(d)["context"]["language"] for d in documents} == {"fr"}
