"""Rebuild the progress projection from the statements: they are the record of truth.

Only the events a learner caused are replayed (launched, initialized,
experienced, answered, quiz completed); completion, pass and fail are derived
again by the same rules that derived them live.
"""
from __future__ import annotations

import json
import re
import uuid

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from lti_tool.domain.catalogue import Catalogue
from lti_tool.domain.learning import EventKind, LearningEvent, LearningRecord
from lti_tool.models import Context, Platform, Progress, User

from .agents import agent_key
from .builders import NAMESPACE
from .models import Statement
from .store import parse_time
from .vocabulary import ADL_VERB

OBJECT = re.compile(r"/modules/(?P<module>[^/]+)(?:/sections/(?P<section>[^/]+)|/quiz(?:/(?P<question>[^/]+))?)?$")
PRIMARY = {"launched": EventKind.MODULE_LAUNCHED, "initialized": EventKind.MODULE_OPENED,
           "experienced": EventKind.SECTION_VIEWED, "answered": EventKind.QUESTION_ANSWERED,
           "completed": EventKind.QUIZ_SUBMITTED}


def replay(connection: Connection, catalogue: Catalogue, authority: dict) -> int:
    """Replace the projection by one rebuilt from the tool's own statements; returns the events replayed."""
    users = {f"account:{row.issuer}|{row.sub}": row.id for row in connection.execute(
        select(User.id, User.sub, Platform.issuer).join(Platform, Platform.id == User.platform_id))}
    courses = {f"{uuid.uuid5(NAMESPACE, f'{row.issuer}|{row.context_id}')}": row.id for row in connection.execute(
        select(Context.id, Context.context_id, Platform.issuer).join(Platform, Platform.id == Context.platform_id))}
    connection.execute(delete(Progress))
    record = LearningRecord(catalogue)  # no listeners: replaying must not emit statements again
    table = Statement.__table__
    rows = connection.execute(select(table.c.document).where(
        table.c.authority_key == agent_key(authority), table.c.voided.is_(False))
        .order_by(table.c.timestamp, table.c.stored, table.c.id))
    replayed = 0
    for row in rows:
        event = _event(json.loads(row.document), users, courses)
        if event is not None:
            record.record(connection, event)
            replayed += 1
    return replayed


def _event(statement: dict, users: dict, courses: dict) -> LearningEvent | None:
    verb = statement["verb"]["id"].removeprefix(ADL_VERB)
    match = OBJECT.search(statement["object"].get("id", ""))
    kind = PRIMARY.get(verb)
    if kind is None or match is None or (kind is EventKind.QUIZ_SUBMITTED and "/quiz" not in match.group(0)):
        return None
    if kind is EventKind.QUIZ_SUBMITTED and match["question"]:
        return None
    result = statement.get("result") or {}
    score = result.get("score") or {}
    context = statement.get("context") or {}
    course = next((a["id"].rsplit("/", 1)[-1] for a in context.get("contextActivities", {}).get("grouping", [])
                   if "/courses/" in a["id"]), None)
    return LearningEvent(
        kind=kind, user_id=users[agent_key(statement["actor"])], module_id=match["module"],
        context_id=courses.get(course), section_id=match["section"], question_id=match["question"],
        response=tuple(filter(None, result.get("response", "").split("[,]"))),
        correct=result.get("success") if kind is EventKind.QUESTION_ANSWERED else None,
        score=score.get("scaled"), raw=int(score["raw"]) if "raw" in score else None,
        maximum=int(score["max"]) if "max" in score else None,
        locale=context.get("language", "fr"), occurred_at=parse_time(statement["timestamp"]),
    )
