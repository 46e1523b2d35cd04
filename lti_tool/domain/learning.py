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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from sqlalchemy import bindparam, literal_column, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import ColumnClause

from xapi.sql import built_once_per_dialect, dialect_insert, utcnow

from ..db import upsert
from ..models import Progress, QuestionMiss, QuizAttempt
from . import awards
from .catalogue import Catalogue


class EventKind(str, Enum):
    MODULE_LAUNCHED = "module_launched"
    MODULE_OPENED = "module_opened"
    SECTION_VIEWED = "section_viewed"  # read to its end, not merely opened
    QUESTION_ANSWERED = "question_answered"
    QUIZ_SUBMITTED = "quiz_submitted"
    MODULE_COMPLETED = "module_completed"
    MODULE_PASSED = "module_passed"
    MODULE_FAILED = "module_failed"
    MODULE_SUSPENDED = "module_suspended"  # the learner's page was hidden (another tab, the phone locked)
    MODULE_TERMINATED = "module_terminated"  # the learner left the page
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
    reason: str | None = None  # revocation, reinstatement: the public reason
    note: str | None = None  # revocation, reinstatement: the staff's private note
    decided_by: str | None = None  # revocation, reinstatement: who ("<issuer>|<sub>" or "cli")
    locale: str = "fr"
    occurred_at: datetime = field(default_factory=utcnow)


class Listener(Protocol):
    def __call__(self, connection: Connection, events: Sequence[LearningEvent]) -> None:
        """React to ``events`` (in order) inside the transaction that records them."""


def each(handler: Callable[[Connection, LearningEvent], None]) -> Listener:
    """A listener from a handler of one event at a time."""
    def listener(connection: Connection, events: Sequence[LearningEvent]) -> None:
        for event in events:
            handler(connection, event)
    return listener


PROGRESS = Progress.__table__
MISSES = QuestionMiss.__table__
ATTEMPTS = QuizAttempt.__table__


class _ProgressUpdates(dict):
    """One UPDATE per set of changed columns, built on first use (building costs more than running)."""

    def __missing__(self, columns: frozenset[str]):
        statement = update(PROGRESS).where(PROGRESS.c.id == bindparam("row_id")).values(
            {name: bindparam("new_" + name) for name in sorted(columns)})
        self[columns] = statement
        return statement


_UPDATE_PROGRESS = _ProgressUpdates()


# Spelled out: a RETURNING clause can name the progress row only as "progress".
_OPEN_ATTEMPT: ColumnClause = literal_column(
    f"EXISTS (SELECT 1 FROM {ATTEMPTS.name} WHERE {ATTEMPTS.name}.user_id = {PROGRESS.name}.user_id "
    f"AND {ATTEMPTS.name}.module_id = {PROGRESS.name}.module_id AND {ATTEMPTS.name}.status = 'open')")
_LOCKED_COLUMNS = (*PROGRESS.c, _OPEN_ATTEMPT.label("open_attempt"))


@dataclass(frozen=True)
class Resume:
    """Where a launched learner resumes a module: an open quiz, else the last section read, else its page."""

    quiz: bool
    section_id: str | None
    progress: dict = field(default_factory=dict, compare=False)  # the row it was read from

    @classmethod
    def of(cls, progress: dict) -> Resume:
        """From a progress row read with ``open_attempt``."""
        return cls(quiz=bool(progress["open_attempt"]), section_id=progress["last_section_id"], progress=progress)

    @property
    def on_module_page(self) -> bool:
        return not self.quiz and not self.section_id


class _Row:
    """A progress row being changed by a batch of events: the changes are written once."""

    def __init__(self, values: dict):
        self.values, self.changed = values, dict[str, object]()

    def change(self, changes: dict) -> None:
        self.values.update(changes)
        self.changed.update(changes)

    def write(self, connection: Connection) -> None:
        if self.changed:
            connection.execute(_UPDATE_PROGRESS[frozenset(self.changed)], {
                "row_id": self.values["id"], **{"new_" + name: value for name, value in self.changed.items()}})
            self.changed = {}
ACTIVE_GAP = timedelta(minutes=30)  # a longer pause between two events of a module is not time spent on it


class Learning:
    """Records events; ``awarding`` off replays progress without earning anything again."""

    def __init__(self, catalogue: Catalogue, listeners: Iterable[Listener] = (), awarding: bool = True):
        self.catalogue, self.awarding = catalogue, awarding
        self.listeners: list[Listener] = list(listeners)

    def record(self, connection: Connection, *events: LearningEvent) -> list[LearningEvent]:
        """Apply ``events`` in order and what they entail, in the caller's transaction; returns all events
        recorded (none for an event that changes nothing, e.g. revoking a revoked credential)."""
        return self._record(connection, events, {})

    def launch(self, connection: Connection, launched: LearningEvent) -> Resume:
        """Record a module's launch, and its opening when the learner starts on the module's page (no quiz
        left open, no section read yet); says where the learner resumes. Both events are one batch."""
        row = _Row(self._locked_progress(connection, launched))
        events = [launched]
        if Resume.of(row.values).on_module_page:
            events.append(replace(launched, kind=EventKind.MODULE_OPENED))
        self._record(connection, events, {(launched.learner.user_id, launched.module_id): row})
        return Resume.of(row.values)  # the progress as these events left it: the landing page shows it

    def _record(self, connection: Connection, events: Sequence[LearningEvent], rows: dict[tuple[int, str], _Row]
                ) -> list[LearningEvent]:
        """Listeners get all the recorded events in one call (one batch of statements)."""
        recorded: list[LearningEvent] = []
        for event in events:
            if event.kind.about_credential:
                recorded += self._credential(connection, event)
            else:
                recorded += self._progress(connection, event, rows)
        for row in rows.values():
            row.write(connection)
        _count_misses(connection, [e for e in recorded if e.kind is EventKind.QUESTION_ANSWERED
                                   and e.correct is False and e.learner.context_id])
        if recorded:
            for listener in self.listeners:
                listener(connection, recorded)
        return recorded

    def _progress(self, connection: Connection, event: LearningEvent, rows: dict[tuple[int, str], _Row]
                  ) -> list[LearningEvent]:
        key = (event.learner.user_id, event.module_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = _Row(self._locked_progress(connection, event))
        if event.kind is EventKind.SECTION_VIEWED and event.section_id in (row.values["sections_viewed"] or []):
            return []  # a section is read once: reading it again records nothing
        changes, derived = self._apply(row.values, event)
        row.change(changes)
        if self.awarding and any(e.kind is EventKind.MODULE_PASSED for e in derived):
            row.write(connection)  # awarding reads the passed modules back
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
            changed = awards.revoke(connection, event.award_uid, event.reason or "", event.note,
                                    event.decided_by, event.occurred_at)
        elif event.kind is EventKind.CREDENTIAL_REINSTATED:
            changed = awards.reinstate(connection, event.award_uid, event.note, event.decided_by)
        else:
            raise ValueError("credentials are earned by passing modules, not recorded directly")
        return [event] if changed else []

    def _locked_progress(self, connection: Connection, event: LearningEvent) -> dict:
        """The learner's row for the module (with ``open_attempt``), created if needed; the upsert also locks it
        until commit."""
        key = {"user_id": event.learner.user_id, "module_id": event.module_id}
        return dict(upsert(connection, Progress, key, {}, returning=_LOCKED_COLUMNS)._mapping)

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


@built_once_per_dialect
def _count_miss(connection: Connection):
    return dialect_insert(connection, MISSES).on_conflict_do_update(
        index_elements=["context_id", "module_id", "question_id"], set_={"misses": MISSES.c.misses + 1})


def _count_misses(connection: Connection, missed: list[LearningEvent]) -> None:
    """The course's question-miss aggregate (trainers' course view), in the events' transaction: one
    statement for a submission's wrong answers (each question once in an attempt)."""
    if missed:
        connection.execute(_count_miss(connection), [{"context_id": e.learner.context_id, "module_id": e.module_id,
                                                      "question_id": e.question_id, "misses": 1} for e in missed])


_PROGRESS_OF = select(PROGRESS).where(PROGRESS.c.user_id == bindparam("user_id"))
_MODULE_PROGRESS = select(PROGRESS, _OPEN_ATTEMPT.label("open_attempt")).where(
    PROGRESS.c.user_id == bindparam("user_id"), PROGRESS.c.module_id == bindparam("module_id"))
NOT_STARTED: dict[str, object] = {"status": Status.NOT_STARTED.value, "sections_viewed": [], "last_section_id": None,
               "best_score": None, "attempts": 0, "open_attempt": False}


def progress_of(connection: Connection, user_id: int) -> dict[str, dict]:
    """The learner's progress rows by module id."""
    rows = connection.execute(_PROGRESS_OF, {"user_id": user_id}).mappings()
    return {row["module_id"]: dict(row) for row in rows}


def module_progress(connection: Connection, user_id: int, module_id: str) -> dict:
    """The learner's progress in one module, with ``open_attempt`` (a quiz started, not submitted): one query."""
    row = connection.execute(_MODULE_PROGRESS, {"user_id": user_id, "module_id": module_id}).mappings().first()
    return dict(row) if row else dict(NOT_STARTED)
