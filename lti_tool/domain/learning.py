"""The one entry point for everything that happens to a learner, and the progress projection it updates.

The LTI launch, the player and the badges report what happened (launched,
opened a module, viewed a section, answered, submitted a quiz, a credential
revoked); ``Learning.record`` updates the projection and derives what follows
from the course rules (module completed, passed, failed; credentials earned).
Listeners — xAPI statements, credential signing — receive every event, primary
and derived, inside the same database transaction. The event carries the
learner as the launch resolved them, so no listener reads identity back.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from xapi.sql import dialect_insert, utcnow

from ..db import upsert
from ..models import Progress, QuestionMiss
from . import awards
from .catalogue import Catalogue


class EventKind(str, Enum):
    MODULE_LAUNCHED = "module_launched"
    MODULE_OPENED = "module_opened"
    SECTION_VIEWED = "section_viewed"
    QUESTION_ANSWERED = "question_answered"
    QUIZ_SUBMITTED = "quiz_submitted"
    MODULE_COMPLETED = "module_completed"
    MODULE_PASSED = "module_passed"
    MODULE_FAILED = "module_failed"
    CREDENTIAL_EARNED = "credential_earned"
    CREDENTIAL_REVOKED = "credential_revoked"
    CREDENTIAL_REINSTATED = "credential_reinstated"

    @property
    def about_credential(self) -> bool:
        return self in (EventKind.CREDENTIAL_EARNED, EventKind.CREDENTIAL_REVOKED, EventKind.CREDENTIAL_REINSTATED)


class Status(str, Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class Learner:
    """Who, resolved once at launch: the tool's ids, and the LMS's account (no name or e-mail)."""

    user_id: int
    context_id: int | None
    issuer: str  # the platform's issuer
    sub: str  # the LTI ``sub``
    course: str | None  # the LMS's context id


@dataclass(frozen=True)
class LearningEvent:
    kind: EventKind
    learner: Learner
    module_id: str  # "" for the passport's credential events
    section_id: str | None = None
    attempt_id: int | None = None
    question_id: str | None = None
    response: tuple[str, ...] = ()
    correct: bool | None = None
    score: float | None = None  # scaled, 0..1
    raw: int | None = None
    maximum: int | None = None
    duration: timedelta | None = None  # quiz events: time since the attempt started
    award_uid: str | None = None  # credential events
    award_kind: str | None = None  # credential events: module | passport
    reason: str | None = None  # revocation
    locale: str = "fr"
    occurred_at: datetime = field(default_factory=utcnow)


class Listener(Protocol):
    def __call__(self, connection: Connection, event: LearningEvent) -> None:
        """React to ``event`` inside the transaction that records it."""


PROGRESS = Progress.__table__
MISSES = QuestionMiss.__table__
ACTIVE_GAP = timedelta(minutes=30)  # a longer pause between two events of a module is not time spent on it


class Learning:
    """Records events; ``awarding`` off replays progress without earning anything again."""

    def __init__(self, catalogue: Catalogue, listeners: Iterable[Listener] = (), awarding: bool = True):
        self.catalogue, self.awarding = catalogue, awarding
        self.listeners: list[Listener] = list(listeners)

    def record(self, connection: Connection, event: LearningEvent) -> list[LearningEvent]:
        """Apply ``event`` and what it entails, in the caller's transaction; returns all events recorded
        (none when the event changes nothing, e.g. revoking a revoked credential)."""
        events = self._credential(connection, event) if event.kind.about_credential else \
            self._progress(connection, event)
        for recorded in events:
            for listener in self.listeners:
                listener(connection, recorded)
        return events

    def _progress(self, connection: Connection, event: LearningEvent) -> list[LearningEvent]:
        row = self._locked_progress(connection, event)
        changes, derived = self._apply(dict(row._mapping), event)
        connection.execute(update(Progress).where(Progress.id == row.id).values(**changes))
        if event.kind is EventKind.QUESTION_ANSWERED and event.correct is False and event.learner.context_id:
            _count_miss(connection, event)
        if self.awarding and any(e.kind is EventKind.MODULE_PASSED for e in derived):
            derived += self._earned(connection, event)
        return [event, *derived]

    def _earned(self, connection: Connection, event: LearningEvent) -> list[LearningEvent]:
        """The credentials a newly passed module earns, each once."""
        learner = event.learner
        return [replace(event, kind=EventKind.CREDENTIAL_EARNED, module_id=new.module_id, award_uid=new.uid,
                        award_kind=new.kind, section_id=None, question_id=None, duration=None)
                for new in awards.award_for_pass(connection, self.catalogue.passport_rule, learner.user_id,
                                                 event.module_id, learner.context_id, event.occurred_at)]

    def _credential(self, connection: Connection, event: LearningEvent) -> list[LearningEvent]:
        if event.award_uid is None:
            raise ValueError(f"{event.kind.value} needs the award's uid")
        if event.kind is EventKind.CREDENTIAL_REVOKED:
            changed = awards.revoke(connection, event.award_uid, event.reason or "", event.occurred_at)
        elif event.kind is EventKind.CREDENTIAL_REINSTATED:
            changed = awards.reinstate(connection, event.award_uid)
        else:
            raise ValueError("credentials are earned by passing modules, not recorded directly")
        return [event] if changed else []

    def _locked_progress(self, connection: Connection, event: LearningEvent):
        """The learner's row for the module, created if needed; the upsert also locks it until commit."""
        key = {"user_id": event.learner.user_id, "module_id": event.module_id}
        return upsert(connection, Progress, key, {}, returning=tuple(PROGRESS.c))

    def _apply(self, progress: dict, event: LearningEvent) -> tuple[dict, list[LearningEvent]]:
        changes: dict[str, object] = {"last_activity_at": event.occurred_at}
        previous = progress["last_activity_at"]
        if previous is not None and progress["status"] not in (None, Status.NOT_STARTED.value):
            gap = event.occurred_at - previous
            if timedelta(0) < gap <= ACTIVE_GAP:
                changes["time_spent_seconds"] = (progress["time_spent_seconds"] or 0) + int(gap.total_seconds())
        if event.learner.context_id:
            changes["context_id"] = event.learner.context_id
        status = Status(progress["status"] or Status.NOT_STARTED)
        if status is Status.NOT_STARTED:
            status = Status.IN_PROGRESS
        derived: list[LearningEvent] = []
        if event.kind is EventKind.SECTION_VIEWED:
            status = self._section_viewed(progress, event, changes, derived, status)
        elif event.kind is EventKind.QUIZ_SUBMITTED:
            status = self._quiz_submitted(progress, event, changes, derived, status)
        changes["status"] = status.value
        return changes, derived

    def _section_viewed(self, progress, event, changes, derived, status: Status) -> Status:
        viewed = list(progress["sections_viewed"] or [])
        if event.section_id not in viewed:
            viewed.append(event.section_id)
        changes.update(sections_viewed=viewed, last_section_id=event.section_id)
        every_section = {s["id"] for s in self.catalogue.module(event.module_id).sections}
        if progress["completed_at"] is None and every_section <= set(viewed):
            changes["completed_at"] = event.occurred_at
            derived.append(replace(event, kind=EventKind.MODULE_COMPLETED, section_id=None))
            if status is Status.IN_PROGRESS:
                return Status.COMPLETED
        return status

    def _quiz_submitted(self, progress, event, changes, derived, status: Status) -> Status:
        best = progress["best_score"]
        changes.update(attempts=(progress["attempts"] or 0) + 1,
                       best_score=event.score if best is None else max(best, event.score))
        if event.score >= self.catalogue.passport_rule.pass_mark:
            if progress["passed_at"] is None:
                changes["passed_at"] = event.occurred_at
                derived.append(replace(event, kind=EventKind.MODULE_PASSED))
            return Status.PASSED
        derived.append(replace(event, kind=EventKind.MODULE_FAILED))
        changes["failed_attempts"] = (progress["failed_attempts"] or 0) + 1
        return Status.PASSED if status is Status.PASSED else Status.FAILED


def _count_miss(connection: Connection, event: LearningEvent) -> None:
    """The course's question-miss aggregate, kept in the event's transaction (trainers' course view)."""
    statement = dialect_insert(connection, MISSES)
    connection.execute(statement.on_conflict_do_update(
        index_elements=["context_id", "module_id", "question_id"], set_={"misses": MISSES.c.misses + 1}),
        {"context_id": event.learner.context_id, "module_id": event.module_id,
         "question_id": event.question_id, "misses": 1})


def progress_of(connection: Connection, user_id: int) -> dict[str, dict]:
    """The learner's progress rows by module id."""
    rows = connection.execute(select(PROGRESS).where(PROGRESS.c.user_id == user_id)).mappings()
    return {row["module_id"]: dict(row) for row in rows}
