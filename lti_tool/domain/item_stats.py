"""Item statistics: how each quiz question behaves, from the answers recorded.

Every ``answered`` event is indexed (one row per answer, with its attempt) in the transaction that writes its
statement; the attempt's score joins its rows when the quiz is submitted. Statistics are then SQL aggregates per
item — n, Σx, Σy, Σy², Σxy, with x = 1 for a right answer and y = the attempt's score — from which the
difficulty (share right) and the point-biserial discrimination (Pearson's r of x and y) follow. y is the score on
the attempt's *other* questions (the corrected item-total correlation): with ten questions an item makes a tenth
of its own score, enough to make an item that measures nothing look discriminating.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Float, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..models import ItemResponse
from .learning import EventKind, LearningEvent

RESPONSES = ItemResponse.__table__
SEPARATOR = "[,]"  # how a statement's response joins several choices
TOO_EASY, TOO_HARD, NOT_DISCRIMINATING = 0.95, 0.20, 0.10
MIN_ANSWERS = 20  # below this, figures are shown but not judged


_INSERT_ANSWERS = insert(RESPONSES)
_SCORE_ATTEMPT = update(RESPONSES).where(RESPONSES.c.attempt_id == bindparam("attempt")).values(
    rest_score=(bindparam("raw", type_=Float) - RESPONSES.c.correct) / bindparam("others", type_=Float))


class ItemResponseIndex:
    """The learning-event listener that keeps the index (and, in replay, rebuilds it): a submitted quiz's
    answers are one insert, then its score joins them."""

    def __call__(self, connection: Connection, events: Sequence[LearningEvent]) -> None:
        answers: list[dict] = []
        for event in events:
            if event.attempt_id is None:
                continue
            if event.kind is EventKind.QUESTION_ANSWERED:
                answers.append({
                    "attempt_id": event.attempt_id, "user_id": event.learner.user_id,
                    "context_id": event.learner.context_id, "module_id": event.module_id,
                    "question_id": event.question_id, "response": SEPARATOR.join(sorted(event.response)),
                    "correct": int(bool(event.correct)), "answered_at": event.occurred_at})
            elif event.kind is EventKind.QUIZ_SUBMITTED and event.raw is not None and event.maximum:
                self._insert(connection, answers)
                connection.execute(_SCORE_ATTEMPT, {"attempt": event.attempt_id, "raw": float(event.raw),
                                                    "others": float(max(event.maximum - 1, 1))})
        self._insert(connection, answers)

    @staticmethod
    def _insert(connection: Connection, answers: list[dict]) -> None:
        if answers:
            connection.execute(_INSERT_ANSWERS, answers)
            answers.clear()


def forget_all(connection: Connection) -> None:
    """Empty the index, before replay rebuilds it from the statements."""
    connection.execute(delete(ItemResponse))


@dataclass(frozen=True)
class ItemStats:
    module_id: str
    question_id: str
    answers: int
    difficulty: float  # share of right answers
    discrimination: float | None  # None when every answer, or every score, is the same
    chosen: dict[str, int] = field(default_factory=dict)  # choice id → how many answers picked it
    unanswered: int = 0

    @property
    def flags(self) -> tuple[str, ...]:
        """too_easy, too_hard, not_discriminating — judged from MIN_ANSWERS answers on."""
        if self.answers < MIN_ANSWERS:
            return ()
        found = []
        if self.difficulty > TOO_EASY:
            found.append("too_easy")
        if self.difficulty < TOO_HARD:
            found.append("too_hard")
        if self.discrimination is not None and self.discrimination < NOT_DISCRIMINATING:
            found.append("not_discriminating")
        return tuple(found)


def item_statistics(connection: Connection, module_id: str | None = None) -> list[ItemStats]:
    """Per question of submitted attempts (optionally one module's), ordered by module and question."""
    x, y = RESPONSES.c.correct, RESPONSES.c.rest_score
    where = [y.is_not(None)] + ([RESPONSES.c.module_id == module_id] if module_id else [])
    item = (RESPONSES.c.module_id, RESPONSES.c.question_id)
    sums = connection.execute(
        select(*item, func.count(), func.sum(x), func.sum(y), func.sum(y * y), func.sum(x * y))
        .where(*where).group_by(*item).order_by(*item)).all()
    chosen: dict[tuple[str, str], dict[str, int]] = {}
    unanswered: dict[tuple[str, str], int] = {}
    for module, question, response, count in connection.execute(
            select(*item, RESPONSES.c.response, func.count()).where(*where).group_by(*item, RESPONSES.c.response)):
        if not response:
            unanswered[(module, question)] = count
        for choice in filter(None, response.split(SEPARATOR)):
            tally = chosen.setdefault((module, question), {})
            tally[choice] = tally.get(choice, 0) + count
    return [ItemStats(module, question, n, sx / n, _correlation(n, sx, sy, syy, sxy),
                      chosen.get((module, question), {}), unanswered.get((module, question), 0))
            for module, question, n, sx, sy, syy, sxy in sums]


def _correlation(n: int, sx: float, sy: float, syy: float, sxy: float) -> float | None:
    """Pearson's r from the sums, x being 0/1 (so Σx² = Σx): the point-biserial correlation."""
    spread = (n * sx - sx * sx) * (n * syy - sy * sy)
    if spread <= 1e-12:
        return None
    return (n * sxy - sx * sy) / math.sqrt(spread)
