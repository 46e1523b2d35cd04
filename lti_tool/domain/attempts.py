"""The quiz-attempt lifecycle: open (draw questions), submit (grade, record the events), read the result.

The course may limit attempts per module (per day, waiting time): ``availability`` says when the next one
opens, and ``start`` refuses an early one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from xapi.sql import utcnow

from ..models import QuizAttempt
from .catalogue import Catalogue, Module
from .learning import EventKind, Learner, Learning, LearningEvent
from .quiz import Grade, draw, grade

ATTEMPTS = QuizAttempt.__table__
_OPEN_ATTEMPT = select(ATTEMPTS).where(ATTEMPTS.c.user_id == bindparam("user_id"),
                                       ATTEMPTS.c.module_id == bindparam("module_id"),
                                       ATTEMPTS.c.status == "open").order_by(ATTEMPTS.c.id.desc())
_LOCKED_ATTEMPT = select(ATTEMPTS).where(ATTEMPTS.c.id == bindparam("attempt_id")).with_for_update()
_CLOSE_ATTEMPT = update(ATTEMPTS).where(ATTEMPTS.c.id == bindparam("attempt_id")).values(
    status="submitted", answers=bindparam("answers"), score=bindparam("score"),
    submitted_at=bindparam("submitted_at"))


DAY = timedelta(days=1)


class AttemptRefused(Exception):
    """An attempt that cannot be taken: ``reason`` is unknown | not_yours | closed | too_early."""

    def __init__(self, reason: str, opens_at: datetime | None = None):
        super().__init__(reason)
        self.reason, self.opens_at = reason, opens_at


@dataclass(frozen=True)
class Availability:
    """Whether a new attempt may start now; if not, when it may (UTC)."""

    opens_at: datetime | None  # None: now
    per_day: int | None
    wait: timedelta
    taken_today: int  # submitted attempts in the last 24 hours

    @property
    def open_now(self) -> bool:
        return self.opens_at is None


class Attempts:
    def __init__(self, catalogue: Catalogue, learning: Learning):
        self.catalogue, self.learning = catalogue, learning

    def open_attempt(self, connection: Connection, user_id: int, module_id: str) -> Row | None:
        return connection.execute(_OPEN_ATTEMPT, {"user_id": user_id, "module_id": module_id}).first()

    def availability(self, connection: Connection, user_id: int, module: Module,
                     now: datetime | None = None) -> Availability:
        """The course's limits applied to the learner's submitted attempts."""
        now = now or utcnow()
        policy = self.catalogue.attempt_policy(module)
        mine = (ATTEMPTS.c.user_id == user_id, ATTEMPTS.c.module_id == module.id, ATTEMPTS.c.status == "submitted")
        last = connection.execute(select(func.max(ATTEMPTS.c.submitted_at)).where(*mine)).scalar()
        today = list(connection.execute(select(ATTEMPTS.c.submitted_at).where(
            *mine, ATTEMPTS.c.submitted_at > now - DAY).order_by(ATTEMPTS.c.submitted_at)).scalars())
        opens = []
        if last is not None and policy.wait and last + policy.wait > now:
            opens.append(last + policy.wait)
        if policy.per_day and len(today) >= policy.per_day:
            opens.append(today[len(today) - policy.per_day] + DAY)
        return Availability(max(opens) if opens else None, policy.per_day, policy.wait, len(today))

    def start(self, connection: Connection, user_id: int, module: Module) -> Row:
        """The learner's open attempt, or a new one if the course's limits allow it (AttemptRefused
        ``too_early`` otherwise); questions not seen in the last attempt are drawn first."""
        attempt = self.open_attempt(connection, user_id, module.id)
        if attempt is not None:
            return attempt
        availability = self.availability(connection, user_id, module)
        if not availability.open_now:
            raise AttemptRefused("too_early", availability.opens_at)
        last = connection.execute(select(ATTEMPTS.c.question_ids).where(
            ATTEMPTS.c.user_id == user_id, ATTEMPTS.c.module_id == module.id)
            .order_by(ATTEMPTS.c.id.desc()).limit(1)).scalar()
        bank = self.catalogue.quiz(module.folder, "fr")
        connection.execute(insert(QuizAttempt).values(
            user_id=user_id, module_id=module.id, status="open", started_at=utcnow(),
            question_ids=draw(bank, self.catalogue.questions_per_attempt, seen=last or ())))
        attempt = self.open_attempt(connection, user_id, module.id)
        assert attempt is not None
        return attempt

    def grade(self, module: Module, attempt: Row, answers: dict[str, list[str]]) -> Grade:
        """The answers to ``attempt`` graded; quiz.InvalidAnswer for answers the attempt cannot have."""
        return grade(self.catalogue.quiz(module.folder, "fr"), attempt.question_ids, answers)

    def submit(self, connection: Connection, learner: Learner, module: Module, attempt: Row, result: Grade,
               locale: str) -> None:
        """Record the graded answers to an attempt ``open_one`` locked and its score as learning events, and
        close the attempt."""
        attempt_id = attempt.id

        def event(kind: EventKind, **details) -> LearningEvent:
            return LearningEvent(kind=kind, learner=learner, module_id=module.id, attempt_id=attempt_id,
                                 locale=locale, **details)

        self.learning.record(connection, *[
            event(EventKind.QUESTION_ANSWERED, question_id=answer.question_id, response=answer.chosen,
                  correct=answer.correct) for answer in result.results
        ], event(EventKind.QUIZ_SUBMITTED, score=result.scaled, raw=result.raw, maximum=result.maximum,
                 duration=utcnow() - attempt.started_at))
        connection.execute(_CLOSE_ATTEMPT, {
            "attempt_id": attempt_id, "answers": {r.question_id: list(r.chosen) for r in result.results},
            "score": result.scaled, "submitted_at": utcnow()})

    @staticmethod
    def open_one(connection: Connection, learner: Learner, module: Module, attempt_id: int) -> Row:
        """The learner's open attempt ``attempt_id``, locked until the transaction ends; AttemptRefused
        otherwise."""
        attempt = connection.execute(_LOCKED_ATTEMPT, {"attempt_id": attempt_id}).first()
        if attempt is None or attempt.module_id != module.id:
            raise AttemptRefused("unknown")
        if attempt.user_id != learner.user_id:
            raise AttemptRefused("not_yours")
        if attempt.status != "open":
            raise AttemptRefused("closed")
        return attempt

    def submitted(self, connection: Connection, user_id: int, module: Module, attempt_id: int,
                  locale: str) -> tuple[Row, Grade | None]:
        """The learner's attempt and, once submitted, its grade in ``locale``; AttemptRefused if not theirs."""
        attempt = connection.execute(select(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id)).first()
        if attempt is None or attempt.module_id != module.id or attempt.user_id != user_id:
            raise AttemptRefused("unknown")
        if attempt.status != "submitted":
            return attempt, None
        return attempt, grade(self.catalogue.quiz(module.folder, locale), attempt.question_ids, attempt.answers)
