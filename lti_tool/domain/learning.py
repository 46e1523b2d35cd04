"""The one entry point for learning events, and the progress projection they update.

The player reports what a learner did (opened a module, viewed a section,
answered, submitted a quiz); ``LearningRecord.record`` updates the progress
projection and derives what follows from the course rules (module completed,
passed, failed). Listeners — xAPI statements, passport awarding — receive every
event, primary and derived, inside the same database transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ..db import upsert
from ..models import Progress, utcnow
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


class Status(str, Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class LearningEvent:
    kind: EventKind
    user_id: int
    module_id: str
    context_id: int | None = None
    section_id: str | None = None
    attempt_id: int | None = None
    question_id: str | None = None
    response: tuple[str, ...] = ()
    correct: bool | None = None
    score: float | None = None  # scaled, 0..1
    raw: int | None = None
    maximum: int | None = None
    duration: timedelta | None = None  # quiz events: time since the attempt started
    locale: str = "fr"
    occurred_at: datetime = field(default_factory=utcnow)


Listener = Callable[[Connection, LearningEvent], None]
PROGRESS = Progress.__table__


class LearningRecord:
    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self.listeners.append(listener)

    def record(self, connection: Connection, event: LearningEvent) -> list[LearningEvent]:
        """Apply ``event`` and what it entails, in the caller's transaction; returns all events recorded."""
        row = self._locked_progress(connection, event)
        changes, derived = self._apply(dict(row._mapping), event)
        connection.execute(update(Progress).where(Progress.id == row.id).values(**changes))
        events = [event, *derived]
        for recorded in events:
            for listener in self.listeners:
                listener(connection, recorded)
        return events

    def _locked_progress(self, connection: Connection, event: LearningEvent):
        """The learner's row for the module, created if needed; the upsert also locks it until commit."""
        key = {"user_id": event.user_id, "module_id": event.module_id}
        return upsert(connection, Progress, key, {}, returning=tuple(PROGRESS.c))

    def _apply(self, progress: dict, event: LearningEvent) -> tuple[dict, list[LearningEvent]]:
        changes = {"last_activity_at": event.occurred_at}
        if event.context_id:
            changes["context_id"] = event.context_id
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
        module = self.catalogue.get(event.module_id)
        every_section = {s["id"] for s in module.sections}
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
        return Status.PASSED if status is Status.PASSED else Status.FAILED


def progress_of(connection: Connection, user_id: int) -> dict[str, dict]:
    """The learner's progress rows by module id."""
    rows = connection.execute(select(PROGRESS).where(PROGRESS.c.user_id == user_id)).mappings()
    return {row["module_id"]: dict(row) for row in rows}
