"""The quiz-attempt lifecycle: open (draw questions), submit (grade, record the events), read the result."""
from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from xapi.sql import utcnow

from ..models import QuizAttempt
from .catalogue import Catalogue, Module
from .learning import EventKind, Learner, Learning, LearningEvent
from .quiz import Grade, draw, grade

ATTEMPTS = QuizAttempt.__table__


class AttemptRefused(Exception):
    """A submission that cannot be taken: ``reason`` is unknown | not_yours | closed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Attempts:
    def __init__(self, catalogue: Catalogue, learning: Learning):
        self.catalogue, self.learning = catalogue, learning

    def open_attempt(self, connection: Connection, user_id: int, module_id: str) -> Row | None:
        return connection.execute(
            select(ATTEMPTS).where(ATTEMPTS.c.user_id == user_id, ATTEMPTS.c.module_id == module_id,
                                   ATTEMPTS.c.status == "open").order_by(ATTEMPTS.c.id.desc())).first()

    def current(self, connection: Connection, user_id: int, module: Module) -> Row:
        """The learner's open attempt at the module's quiz, opened (questions drawn) if there is none."""
        attempt = self.open_attempt(connection, user_id, module.id)
        if attempt is None:
            bank = self.catalogue.quiz(module.folder, "fr")
            connection.execute(insert(ATTEMPTS).values(
                user_id=user_id, module_id=module.id, question_ids=draw(bank, self.catalogue.questions_per_attempt),
                status="open", started_at=utcnow()))
            attempt = self.open_attempt(connection, user_id, module.id)
        assert attempt is not None
        return attempt

    def submit(self, connection: Connection, learner: Learner, module: Module, attempt_id: int,
               answers: dict[str, list[str]], locale: str) -> Grade:
        """Grade the answers, record them and the score as learning events, close the attempt.

        Raises AttemptRefused, or quiz.InvalidAnswer for answers the attempt cannot have."""
        attempt = connection.execute(select(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id).with_for_update()).first()
        if attempt is None or attempt.module_id != module.id:
            raise AttemptRefused("unknown")
        if attempt.user_id != learner.user_id:
            raise AttemptRefused("not_yours")
        if attempt.status != "open":
            raise AttemptRefused("closed")
        result = grade(self.catalogue.quiz(module.folder, "fr"), attempt.question_ids, answers)

        def event(kind: EventKind, **details) -> None:
            self.learning.record(connection, LearningEvent(kind=kind, learner=learner, module_id=module.id,
                                                           attempt_id=attempt_id, locale=locale, **details))

        for answer in result.results:
            event(EventKind.QUESTION_ANSWERED, question_id=answer.question_id, response=answer.chosen,
                  correct=answer.correct)
        event(EventKind.QUIZ_SUBMITTED, score=result.scaled, raw=result.raw, maximum=result.maximum,
              duration=utcnow() - attempt.started_at)
        connection.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id).values(
            status="submitted", answers={r.question_id: list(r.chosen) for r in result.results},
            score=result.scaled, submitted_at=utcnow()))
        return result

    def submitted(self, connection: Connection, user_id: int, module: Module, attempt_id: int,
                  locale: str) -> tuple[Row, Grade | None]:
        """The learner's attempt and, once submitted, its grade in ``locale``; AttemptRefused if not theirs."""
        attempt = connection.execute(select(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id)).first()
        if attempt is None or attempt.module_id != module.id or attempt.user_id != user_id:
            raise AttemptRefused("unknown")
        if attempt.status != "submitted":
            return attempt, None
        return attempt, grade(self.catalogue.quiz(module.folder, locale), attempt.question_ids, attempt.answers)
