"""Strict validation of xAPI 1.0.3 statements, as an LRS applies it on PUT/POST.

Structure lives in ``statement.schema.json`` (JSON Schema draft-07, compiled once with
fastjsonschema): every object's keys (closed, case-sensitive), types, no nulls outside extensions,
IRIs, UUIDs, timestamps, durations, language tags, mailto IRIs, hashes, versions, the objectType
dispatch, SubStatement restrictions, authority Groups.  The few rules a schema cannot state well are
the Python checks below:

* exactly one inverse functional identifier per Agent and identified Group; anonymous Groups list members;
* score: finite numbers, min < max, min <= raw <= max;
* context.revision / context.platform only when the object is an Activity;
* a voiding statement's object is a StatementRef;
* interaction component lists only with the interactionTypes that support them, with distinct ids;
* no two statements of a batch share an id.

Every failure becomes a :class:`StatementInvalid` naming the field
(``context.contextActivities.parent[0].id``) and saying why, for the 400 response.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import fastjsonschema

from .agents import agent_key
from .limits import IRI_LENGTH, MEDIA_TYPE_LENGTH, unstorable
from .times import parse_time

__all__ = ["StatementInvalid", "validate_statement", "validate_statements", "validate_agent", "is_iri", "is_uuid"]

_SCHEMA = json.loads((Path(__file__).with_name("statement.schema.json")).read_text(encoding="utf-8"))
_DEFINITIONS = _SCHEMA["definitions"]
_IRI = re.compile(_DEFINITIONS["iri"]["pattern"].replace("$", r"\Z"))
_UUID = re.compile(_DEFINITIONS["uuid"]["pattern"].replace("$", r"\Z"))
_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
_LISTS_FOR = {  # 2.4.4.1.s15: the interaction component lists each interactionType supports
    "choice": ("choices",), "sequencing": ("choices",), "likert": ("scale",), "matching": ("source", "target"),
    "performance": ("steps",), "true-false": (), "fill-in": (), "long-fill-in": (), "numeric": (), "other": (),
}
_VOIDED = "http://adlnet.gov/expapi/verbs/voided"
_TYPE_NAMES = {"string": "a string", "object": "an object", "array": "an array", "number": "a number",
               "integer": "an integer", "boolean": "a boolean (true or false)", "null": "null"}


class StatementInvalid(ValueError):
    """A statement (or agent) the LRS must reject with 400 Bad Request."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path or 'statement'}: {message}")
        self.path = path
        self.message = message


def is_iri(value: str) -> bool:
    """Best-effort IRI check (xAPI-Data 2.2.s4.b6): a scheme, then no whitespace or forbidden characters."""
    return isinstance(value, str) and _IRI.match(value) is not None


def is_uuid(value: str) -> bool:
    """A UUID in its standard 8-4-4-4-12 form, as xAPI writes registrations and statement ids."""
    return isinstance(value, str) and _UUID.match(value) is not None


def validate_statement(statement: dict) -> None:
    _check_schema(_STATEMENT_VALIDATOR, statement)
    if statement["verb"]["id"] == _VOIDED and statement["object"].get("objectType") != "StatementRef":
        raise StatementInvalid("object.objectType", "must be 'StatementRef': a voiding statement's object "
                                                    "references the statement it voids (2.3.2)")
    _statement_rules(statement, "")


def validate_statements(statements: list[dict]) -> None:
    """A batch is rejected whole if any statement is invalid or two statements share an id."""
    if not isinstance(statements, list):
        raise StatementInvalid("", "must be an array of statements")
    seen: dict[str, int] = {}
    for index, statement in enumerate(statements):
        try:
            validate_statement(statement)
        except StatementInvalid as error:
            raise StatementInvalid(_join(f"[{index}]", error.path), error.message) from None
        statement_id = statement.get("id")
        if statement_id is not None:
            key = statement_id.lower()
            if key in seen:
                raise StatementInvalid(f"[{index}].id", f"duplicate statement id {statement_id!r} "
                                                        f"(also used by statement [{seen[key]}] of this batch)")
            seen[key] = index


def validate_agent(agent: dict) -> None:
    """The ``agent`` parameter of the State, Agent Profile, Agents and Statement resources:
    an Agent, or an identified Group, with exactly one inverse functional identifier."""
    _check_schema(_AGENT_VALIDATOR, agent)
    ifis = [name for name in _IFIS if name in agent]
    if len(ifis) != 1:
        raise StatementInvalid("", _ifi_message(agent.get("objectType", "Agent"), ifis))
    _identifier_fits(agent, "")
    for index, member in enumerate(agent.get("member", ())):
        _agent_rules(member, f"member[{index}]")


# --- the rules a schema cannot express -------------------------------------------------------


def _statement_rules(statement: dict, prefix: str) -> None:
    """``prefix`` is "" for the statement, "object." for its SubStatement."""
    _fits(statement["verb"]["id"], IRI_LENGTH, prefix + "verb.id")
    for index, attachment in enumerate(statement.get("attachments", ())):
        _fits(attachment["contentType"], MEDIA_TYPE_LENGTH, f"{prefix}attachments[{index}].contentType")
    _agent_rules(statement["actor"], prefix + "actor")
    target = statement["object"]
    object_type = target.get("objectType", "Activity")
    if object_type == "Activity":
        _activity_rules(target, prefix + "object")
    elif object_type == "SubStatement":
        _statement_rules(target, prefix + "object.")
    elif object_type != "StatementRef":
        _agent_rules(target, prefix + "object")
    if "authority" in statement:
        _agent_rules(statement["authority"], prefix + "authority")
    if "timestamp" in statement:
        _timestamp_rules(statement["timestamp"], prefix + "timestamp")
    result = statement.get("result")
    if result and "score" in result:
        _score_rules(result["score"], prefix + "result.score")
    context = statement.get("context")
    if context:
        _context_rules(context, prefix + "context", object_type)


def _fits(value: str, limit: int, path: str) -> None:
    reason = unstorable(value, limit)
    if reason:
        raise StatementInvalid(path, reason)


def _identifier_fits(agent: dict, path: str) -> None:
    """The agent's key (its identifier, as the LRS indexes it) must fit its column."""
    reason = unstorable(agent_key(agent) or "", IRI_LENGTH)
    if reason:
        raise StatementInvalid(path, "its identifier " + reason)


def _timestamp_rules(value: str, path: str) -> None:
    """The schema checks the form; a moment must also exist and fit a datetime, to be stored and queried."""
    try:
        parse_time(value)
    except ValueError as error:
        raise StatementInvalid(path, f"{value!r} is not a date and time this LRS can store ({error})") from None


def _agent_rules(agent: dict, path: str) -> None:
    """Exactly one IFI per Agent and identified Group (2.4.2.1, 2.4.2.2); anonymous Groups list members."""
    ifis = [name for name in _IFIS if name in agent]
    _identifier_fits(agent, path)
    if agent.get("objectType") == "Group":
        if len(ifis) > 1:
            raise StatementInvalid(path, _ifi_message("Group", ifis))
        if not ifis and not agent.get("member"):
            raise StatementInvalid(_join(path, "member"), "an anonymous Group (one without mbox, mbox_sha1sum, "
                                                          "openid or account) must list its member Agents")
        for index, member in enumerate(agent.get("member", ())):
            _agent_rules(member, f"{path}.member[{index}]")
    elif len(ifis) != 1:
        raise StatementInvalid(path, _ifi_message("Agent", ifis))


def _ifi_message(kind: str, ifis: list[str]) -> str:
    found = " and ".join(ifis) if ifis else "none"
    return (f"{_article(kind)} must have exactly one inverse functional identifier "
            f"(mbox, mbox_sha1sum, openid or account); found {found}")


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "AEIOU" else "a ") + noun


def _score_rules(score: dict, path: str) -> None:
    """2.4.5.1: min < max, min <= raw <= max (scaled's [-1, 1] is in the schema)."""
    for name, number in score.items():
        if not math.isfinite(number):  # NaN / Infinity slip through lenient JSON parsers
            raise StatementInvalid(f"{path}.{name}", f"must be a finite number, not {number!r}")
    low, high, raw = score.get("min"), score.get("max"), score.get("raw")
    if low is not None and high is not None and not low < high:
        raise StatementInvalid(f"{path}.min", f"must be less than max ({low!r} >= {high!r})")
    if raw is not None and low is not None and raw < low:
        raise StatementInvalid(f"{path}.raw", f"must not be less than min ({raw!r} < {low!r})")
    if raw is not None and high is not None and raw > high:
        raise StatementInvalid(f"{path}.raw", f"must not be greater than max ({raw!r} > {high!r})")


def _context_rules(context: dict, path: str, object_type: str) -> None:
    if object_type != "Activity":
        for name in ("revision", "platform"):
            if name in context:
                raise StatementInvalid(f"{path}.{name}", "must only be used when the statement's object "
                                                         f"is an Activity (here it is {_article(object_type)})")
    for name in ("instructor", "team"):
        if name in context:
            _agent_rules(context[name], f"{path}.{name}")
    for kind, activities in context.get("contextActivities", {}).items():
        if isinstance(activities, dict):
            _activity_rules(activities, f"{path}.contextActivities.{kind}")
        else:
            for index, activity in enumerate(activities):
                _activity_rules(activity, f"{path}.contextActivities.{kind}[{index}]")


def _activity_rules(activity: dict, path: str) -> None:
    """Interaction component lists only where the interactionType supports them (2.4.4.1.s15),
    with distinct ids (2.4.4.1.s16.b1).  The schema already requires interactionType beside a list."""
    _fits(activity["id"], IRI_LENGTH, path + ".id")
    definition = activity.get("definition")
    if not definition or "interactionType" not in definition:
        return
    interaction_type = definition["interactionType"]
    for name in _COMPONENT_LISTS:
        if name not in definition:
            continue
        allowed = _LISTS_FOR[interaction_type]
        if name not in allowed:
            supported = " and ".join(repr(a) for a in allowed) or "no component list"
            raise StatementInvalid(f"{path}.definition.{name}", f"is not allowed with interactionType "
                                                                f"{interaction_type!r} (it takes {supported})")
        seen = set()
        for index, component in enumerate(definition[name]):
            if component["id"] in seen:
                raise StatementInvalid(f"{path}.definition.{name}[{index}].id",
                                       f"duplicate interaction component id {component['id']!r}")
            seen.add(component["id"])


# --- the schema, and its errors turned into path + reason --------------------------------------


def _check_schema(validate, data) -> None:
    if not isinstance(data, dict):
        raise StatementInvalid("", f"must be a JSON object, not {_json_type(data)}")
    try:
        validate(data)
    except fastjsonschema.JsonSchemaValueException as error:
        raise _explain(error) from None


def _explain(error: fastjsonschema.JsonSchemaValueException) -> StatementInvalid:
    path = _path(error.name or "data")
    rule, definition, value = error.rule, error.definition, error.value
    custom = definition.get("x-message") if isinstance(definition, dict) else None
    if rule == "required":
        missing = [name for name in definition["required"] if name not in value]
        return StatementInvalid(_join(path, missing[0]), custom or "is required")
    if rule == "additionalProperties":
        known = definition.get("properties", {})
        unknown = sorted(name for name in value if name not in known)
        where = f"{path}.{unknown[0]}" if path else unknown[0]
        return StatementInvalid(where, _unknown_property(unknown[0], known))
    if rule == "propertyNames":
        names = _resolve(definition["propertyNames"])
        pattern = re.compile(names["pattern"].replace("$", r"\Z"))
        bad = next(name for name in value if not pattern.match(name))
        where = f"{path}.{bad}" if path else bad
        return StatementInvalid(where, f"key {bad!r} {names.get('x-message', 'is not allowed')}")
    if rule == "dependencies":
        for name, needed in definition["dependencies"].items():
            if name in value:
                absent = [n for n in needed if n not in value]
                if absent:
                    return StatementInvalid(_join(path, absent[0]),
                                            custom or f"is required when {name!r} is present")
    if rule == "type":
        if value is None:
            return StatementInvalid(path, "must not be null")
        expected = definition["type"]
        expected = [expected] if isinstance(expected, str) else expected
        wanted = " or ".join(_TYPE_NAMES[t] for t in expected)
        return StatementInvalid(path, f"must be {wanted}, not {_json_type(value)}")
    if custom:
        return StatementInvalid(path, custom)
    if rule == "const":
        return StatementInvalid(path, f"must be {definition['const']!r}, not {value!r}")
    if rule == "enum":
        options = definition["enum"]
        if len(options) == 1:
            return StatementInvalid(path, f"must be {options[0]!r}, not {value!r}")
        listed = ", ".join(repr(option) for option in options)
        return StatementInvalid(path, f"must be one of {listed} (case-sensitive), not {value!r}")
    if rule == "pattern":
        return StatementInvalid(path, f"{value!r} has an invalid format")
    if rule in ("minProperties", "minLength"):
        return StatementInvalid(path, "must not be empty")
    if rule == "minimum":
        return StatementInvalid(path, f"must be at least {definition['minimum']}, not {value!r}")
    if rule == "maximum":
        return StatementInvalid(path, f"must be at most {definition['maximum']}, not {value!r}")
    return StatementInvalid(path, error.message.replace(error.name or "data", "value", 1))


def _unknown_property(name: str, known: dict) -> str:
    for candidate in known:
        if candidate.lower() == name.lower():
            return f"is not an xAPI property here (property names are case-sensitive: did you mean {candidate!r}?)"
    return "is not an xAPI property here"


def _resolve(definition: dict) -> dict:
    while "$ref" in definition:
        definition = _DEFINITIONS[definition["$ref"].rsplit("/", 1)[1]]
    return definition


def _path(name: str) -> str:
    """fastjsonschema's 'data.context.contextActivities.parent[0]' -> 'context.contextActivities.parent[0]'."""
    return name[5:] if name.startswith("data.") else name[4:]


def _join(parent: str, child: str) -> str:
    if not parent:
        return child
    if not child:
        return parent
    return parent + child if child.startswith("[") else f"{parent}.{child}"


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


# Compiled once.  The schema's objectType dispatch tests the common case first, so a valid statement
# raises (almost) no exception inside the generated if/then code.
_STATEMENT_VALIDATOR = fastjsonschema.compile(_SCHEMA)
_AGENT_VALIDATOR = fastjsonschema.compile({"$schema": _SCHEMA["$schema"], "definitions": _DEFINITIONS,
                                        "allOf": [{"$ref": "#/definitions/agentParameter"}]})
