"""The ``format`` parameter of statement queries: exact, ids, canonical."""
from __future__ import annotations

from .agents import identifier_only

AGENT_TYPES = ("Agent", "Group")


def apply(statement: dict, form: str, languages: list[str]) -> dict:
    if form == "ids":
        return _ids(statement)
    if form == "canonical":
        return _canonical(statement, languages)
    return statement


def _ids(statement: dict) -> dict:
    result = dict(statement)
    for field in ("actor", "authority"):
        if field in result:
            result[field] = identifier_only(result[field])
    result["verb"] = {"id": statement["verb"]["id"]}
    result["object"] = _ids_object(statement["object"])
    context = statement.get("context")
    if context:
        context = dict(context)
        for field in ("instructor", "team"):
            if field in context:
                context[field] = identifier_only(context[field])
        if "contextActivities" in context:
            context["contextActivities"] = {
                kind: [{"id": a["id"]} for a in activities]
                for kind, activities in context["contextActivities"].items()}
        result["context"] = context
    return result


def _ids_object(target: dict) -> dict:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":  # its id alone (XAPI-00171): objectType defaults to Activity
        return {"id": target["id"]}
    if kind in AGENT_TYPES:
        return identifier_only(target)
    if kind == "SubStatement":
        return _ids(target)
    return target


def _canonical(value, languages: list[str]):
    """Language maps reduced to the one language the client prefers (else the first present)."""
    if isinstance(value, list):
        return [_canonical(v, languages) for v in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        if key in ("display", "name", "description") and isinstance(item, dict):
            result[key] = _one_language(item, languages)
        elif key == "extensions":
            result[key] = item
        else:
            result[key] = _canonical(item, languages)
    return result


def _one_language(language_map: dict, languages: list[str]) -> dict:
    """By the client's preference: the exact tag, else one of the same primary language (en-GB → en, en-US)."""
    tags = {tag.lower(): tag for tag in language_map}
    for wanted in (w.lower() for w in languages):
        tag = tags.get(wanted) or next((t for low, t in tags.items() if low.split("-")[0] == wanted.split("-")[0]),
                                       None)
        if tag is not None:
            return {tag: language_map[tag]}
    first = next(iter(language_map), None)
    return {first: language_map[first]} if first else {}
