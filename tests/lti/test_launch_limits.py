"""Launch values longer than what the tool keeps, from the independent platform, on both databases: display
values are kept cut to their columns, identifiers past the specifications' 255 characters are a 400."""
from __future__ import annotations

from sqlalchemy import select

from lti_tool import database
from lti_tool.models import Context, ResourceLink, User
from tests.peers.lti_platform import CLAIM, SCENARIOS

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
