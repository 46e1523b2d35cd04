"""xapi.validation against the statement corpus (tests/xapi/corpus) and the batch / agent rules."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from xapi.validation import StatementInvalid, is_iri, validate_agent, validate_statement, validate_statements

CORPUS = Path(__file__).with_name("corpus")
VALID = sorted((CORPUS / "valid").glob("*.json"))
INVALID = sorted((CORPUS / "invalid").glob("*.json"))


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_corpus_size():
    assert len(VALID) >= 40
    assert len(INVALID) >= 120


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_statement_passes(path):
    statement = load(path)
    before = copy.deepcopy(statement)
    validate_statement(statement)
    assert statement == before  # validation never rewrites the statement


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_statement_names_the_field(path):
    case = load(path)
    assert case["rule"]
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(case["statement"])
    assert caught.value.path == case["path"], str(caught.value)
    assert caught.value.message.strip()
    assert isinstance(caught.value, ValueError)


def statement(**changes) -> dict:
    base = load(CORPUS / "valid" / "spec_simple_statement.json")
    base.update(changes)
    return base


def test_error_string_carries_path_and_reason():
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(statement(result={"score": {"scaled": 2}}))
    assert caught.value.path == "result.score.scaled"
    assert str(caught.value) == "result.score.scaled: must be at most 1, not 2"


def test_unknown_key_is_named():
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(statement(Verb={"id": "http://example.com/v"}))
    assert caught.value.path == "Verb"
    assert "'verb'" in caught.value.message


def test_not_an_object():
    for value in (None, [], "statement", 3):
        with pytest.raises(StatementInvalid) as caught:
            validate_statement(value)
        assert caught.value.path == ""


def test_batch_of_valid_statements_passes():
    validate_statements([load(p) for p in VALID])


def test_batch_error_path_is_prefixed_with_index():
    batch = [statement(id="00000000-0000-4000-8000-000000000001"), statement(id=None), statement()]
    batch[1].pop("id")
    batch[2]["verb"] = {"id": "not an iri"}
    with pytest.raises(StatementInvalid) as caught:
        validate_statements(batch)
    assert caught.value.path == "[2].verb.id"


def test_batch_whole_statement_error_path_is_the_index():
    with pytest.raises(StatementInvalid) as caught:
        validate_statements([statement(), "not a statement"])
    assert caught.value.path == "[1]"


def test_batch_rejects_duplicate_ids():
    first = statement(id="fd41c918-b88b-4b20-a0a5-a4c32391aaa0")
    second = statement(id="FD41C918-B88B-4B20-A0A5-A4C32391AAA0")
    with pytest.raises(StatementInvalid) as caught:
        validate_statements([first, statement(id="c3a6c1e1-0c9e-4f0e-9a55-9bd1a9d6a001"), second])
    assert caught.value.path == "[2].id"
    assert "duplicate" in caught.value.message and "[0]" in caught.value.message


def test_batch_without_ids_is_fine():
    one, two = statement(), statement()
    one.pop("id"), two.pop("id")
    validate_statements([one, two])
    validate_statements([])


@pytest.mark.parametrize("agent", [
    {"mbox": "mailto:learner@example.com"},
    {"objectType": "Agent", "name": "Learner", "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"},
    {"openid": "http://openid.example.org/12345"},
    {"account": {"homePage": "https://lms.example.com", "name": "42"}},
    {"objectType": "Group", "account": {"homePage": "https://lms.example.com", "name": "team-7"}},
    {"objectType": "Group", "mbox": "mailto:team@example.com", "member": [{"mbox": "mailto:a@example.com"}]},
], ids=["mbox", "sha1sum", "openid", "account", "identified-group", "identified-group-members"])
def test_validate_agent_accepts(agent):
    validate_agent(agent)


@pytest.mark.parametrize("agent, path", [
    ({}, ""),
    ({"name": "Learner"}, ""),
    ({"mbox": "mailto:a@example.com", "openid": "http://openid.example.org/a"}, ""),
    ({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}, ""),
    ({"objectType": "Group", "mbox": "mailto:t@example.com", "member": [{"name": "x"}]}, "member[0]"),
    ({"objectType": "Group", "mbox": "mailto:t@example.com",
      "member": [{"objectType": "Group", "mbox": "mailto:u@example.com"}]}, "member[0].objectType"),
    ({"mbox": "learner@example.com"}, "mbox"),
    ({"mbox_sha1sum": "abc"}, "mbox_sha1sum"),
    ({"account": {"homePage": "https://lms.example.com"}}, "account.name"),
    ({"mbox": "mailto:a@example.com", "Name": "x"}, "Name"),
    ({"objectType": "agent", "mbox": "mailto:a@example.com"}, "objectType"),
    ({"objectType": "Person", "mbox": ["mailto:a@example.com"]}, "objectType"),
    ("mailto:a@example.com", ""),
], ids=["empty", "no-ifi", "two-ifis", "anonymous-group", "member-no-ifi", "member-group", "bad-mbox",
        "bad-sha1sum", "account-name", "unknown-key", "miscased-type", "person", "string"])
def test_validate_agent_rejects(agent, path):
    with pytest.raises(StatementInvalid) as caught:
        validate_agent(agent)
    assert caught.value.path == path
    assert caught.value.message


@pytest.mark.parametrize("value, expected", [
    ("http://example.com/xapi/verbs#defenestrated", True),
    ("https://example.com/a?b=c&d=e", True),
    ("urn:uuid:9e13cefd-53d3-4eac-b5ed-2cf6693903bb", True),
    ("mailto:learner@example.com", True),
    ("tag:adlnet.gov,2013:expapi:0.9:activities:x", True),
    ("http://example.com/فعل/خواندن", True),
    ("", False),
    ("should fail", False),
    ("/relative/path", False),
    ("ab=c://should.fail.com", False),
    ("http://example.com/a b", False),
    ("http://example.com/a\n", False),
    (42, False),
    (None, False),
])
def test_is_iri(value, expected):
    assert is_iri(value) is expected


def test_schema_is_draft07_and_closed():
    schema = json.loads((Path(__file__).parents[2] / "xapi" / "statement.schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["additionalProperties"] is False
    closed = [name for name, definition in schema["definitions"].items()
              if isinstance(definition, dict) and definition.get("additionalProperties") is False]
    for name in ("agent", "group", "verb", "activity", "activityDefinition", "interactionComponent", "statementRef",
                 "subStatement", "result", "score", "context", "contextActivities", "attachment", "account"):
        assert name in closed, name
