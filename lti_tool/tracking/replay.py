"""Rebuild the progress projection and the awards from the statements: they are the record of truth.

Only the events a learner caused are replayed (launched, initialized,
experienced, answered, quiz completed); completion, pass and fail are derived
again by the same rules that derived them live. Awards come back from the
earned, revoked and reinstated statements, keeping their ids (and the signed
credentials and consent already stored for them).
"""
from __future__ import annotations

import json
import re

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from xapi.agents import agent_key
from xapi.models import Statement
from xapi.times import parse_time

from ..domain import awards, item_stats
from ..domain.catalogue import Catalogue
from ..domain.learning import EventKind, Learner, Learning, LearningEvent
from ..domain.people import known_accounts
from ..models import Progress, QuestionMiss
from . import vocabulary as vocab
from .builders import course_key

OBJECT = re.compile(r"/modules/(?P<module>[^/]+)(?:/sections/(?P<section>[^/]+)|/quiz(?:/(?P<question>[^/]+))?)?$")
ACHIEVEMENT = re.compile(r"/badges/achievements/(?P<achievement>[^/]+)$")
PRIMARY = {"launched": EventKind.MODULE_LAUNCHED, "initialized": EventKind.MODULE_OPENED,
           "experienced": EventKind.SECTION_VIEWED, "answered": EventKind.QUESTION_ANSWERED,
           "completed": EventKind.QUIZ_SUBMITTED, "suspended": EventKind.MODULE_SUSPENDED,
           "terminated": EventKind.MODULE_TERMINATED}


class Accounts:
    """Statements name learners by LMS account; the projection by the tool's ids."""

    def __init__(self, connection: Connection):
        self.users, courses = known_accounts(connection)
        self.courses = {(issuer, course_key(issuer, course)): context_id
                        for (issuer, course), context_id in courses.items()}

    def learner(self, statement: dict) -> Learner:
        account = statement["actor"]["account"]
        issuer, sub = account["homePage"], account["name"]
        grouping = ((statement.get("context") or {}).get("contextActivities") or {}).get("grouping", [])
        key = next((a["id"].rsplit("/", 1)[-1] for a in grouping if "/courses/" in a["id"]), None)
        context_id = self.courses.get((issuer, key)) if key else None
        return Learner(self.users[(issuer, sub)], context_id, issuer, sub, None)


def replay(connection: Connection, catalogue: Catalogue, authority: dict, base_url: str) -> int:
    """Replace the projection and the awards by ones rebuilt from the tool's own statements;
    returns the events replayed."""
    accounts = Accounts(connection)
    table = Statement.__table__
    tool = agent_key(authority)
    # Only the tool's own voids count: another credential's void of the record of truth is ignored,
    # even one stored before the LRS refused such voids.
    own_voids = select(table.c.object_statement_id).where(table.c.is_voiding.is_(True), table.c.authority_key == tool,
                                                          table.c.object_statement_id.is_not(None))
    statements = [json.loads(row.document) for row in connection.execute(select(table.c.document).where(
        table.c.authority_key == tool, table.c.is_voiding.is_(False), table.c.id.not_in(own_voids))
        .order_by(table.c.timestamp, table.c.stored, table.c.id))]
    events = [e for e in (_event(s, accounts, base_url) for s in statements) if e is not None]
    # timestamps are in milliseconds: a quiz's answers and its score may share one; the answers come first
    events.sort(key=lambda e: (e.occurred_at, e.kind is EventKind.QUIZ_SUBMITTED))
    connection.execute(delete(Progress))
    connection.execute(delete(QuestionMiss))
    item_stats.forget_all(connection)
    awards.forget_all_but(connection, {e.award_uid for e in events
                                       if e.kind is EventKind.CREDENTIAL_EARNED and e.award_uid})
    # replaying must not emit statements again: the only listener rebuilds the item-response index
    learning = Learning(catalogue, listeners=(item_stats.ItemResponseIndex(),), awarding=False)
    for event in events:
        if event.kind is EventKind.CREDENTIAL_EARNED:
            assert event.award_uid and event.award_kind
            awards.restore(connection, awards.NewAward(0, event.award_uid, event.award_kind, event.module_id),
                           event.learner.user_id, event.learner.context_id, event.occurred_at)
        else:
            learning.record(connection, event)
    return len(events)


def _event(statement: dict, accounts: Accounts, base_url: str) -> LearningEvent | None:
    verb = statement["verb"]["id"]
    if verb in (vocab.EARNED, base_url + vocab.REVOKED, base_url + vocab.REINSTATED):
        return _credential_event(statement, accounts, verb, base_url)
    match = OBJECT.search(statement["object"].get("id", ""))
    kind = PRIMARY.get(verb.removeprefix(vocab.ADL_VERB))
    if kind is None or match is None or (kind is EventKind.QUIZ_SUBMITTED and "/quiz" not in match.group(0)):
        return None
    if kind is EventKind.QUIZ_SUBMITTED and match["question"]:
        return None
    result = statement.get("result") or {}
    score = result.get("score") or {}
    context = statement.get("context") or {}
    return LearningEvent(
        kind=kind, learner=accounts.learner(statement), module_id=match["module"],
        section_id=match["section"], question_id=match["question"],
        response=tuple(filter(None, result.get("response", "").split("[,]"))),
        correct=result.get("success") if kind is EventKind.QUESTION_ANSWERED else None,
        score=score.get("scaled"), raw=int(score["raw"]) if "raw" in score else None,
        maximum=int(score["max"]) if "max" in score else None,
        attempt_id=(context.get("extensions") or {}).get(base_url + vocab.ATTEMPT),
        locale=context.get("language", "fr"), occurred_at=parse_time(statement["timestamp"]),
    )


def _credential_event(statement: dict, accounts: Accounts, verb: str, base_url: str) -> LearningEvent | None:
    match = ACHIEVEMENT.search(statement["object"].get("id", ""))
    extensions = (statement.get("result") or {}).get("extensions") or {}
    credential = extensions.get(vocab.BADGE_ASSERTION) or {}
    if match is None or "@id" not in credential:
        return None
    passport = match["achievement"] == awards.PASSPORT
    kind = {vocab.EARNED: EventKind.CREDENTIAL_EARNED, base_url + vocab.REVOKED: EventKind.CREDENTIAL_REVOKED,
            base_url + vocab.REINSTATED: EventKind.CREDENTIAL_REINSTATED}[verb]
    return LearningEvent(
        kind=kind, learner=accounts.learner(statement), module_id="" if passport else match["achievement"],
        award_uid=credential["@id"].rsplit("/", 1)[-1], award_kind="passport" if passport else "module",
        reason=(statement.get("result") or {}).get("response"), note=extensions.get(base_url + vocab.PRIVATE_NOTE),
        decided_by=extensions.get(base_url + vocab.DECIDED_BY), occurred_at=parse_time(statement["timestamp"]))
