"""Quiz attempts: draw questions, check submitted answers, score them."""
from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass


class InvalidAnswer(ValueError):
    """A submission that names a question or choice the attempt does not have."""


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    chosen: tuple[str, ...]
    correct_choices: tuple[str, ...]
    correct: bool


@dataclass(frozen=True)
class Grade:
    results: tuple[QuestionResult, ...]

    @property
    def raw(self) -> int:
        return sum(r.correct for r in self.results)

    @property
    def maximum(self) -> int:
        return len(self.results)

    @property
    def scaled(self) -> float:
        return self.raw / self.maximum if self.maximum else 0.0

    @property
    def unanswered(self) -> list[str]:
        """The questions left without an answer."""
        return [r.question_id for r in self.results if not r.chosen]


def draw(bank: dict[str, dict], count: int, seen: Iterable[str] = (), rng: random.Random | None = None) -> list[str]:
    """``count`` question ids in random order, those not ``seen`` (in the last attempt) first, so a retry
    measures knowledge rather than memory; seen ones only fill up a bank too small for a fresh draw."""
    rng = rng or random.SystemRandom()
    seen = set(seen)
    fresh = [q for q in sorted(bank) if q not in seen]
    again = [q for q in sorted(bank) if q in seen]
    count = min(count, len(bank))
    chosen = rng.sample(fresh, min(count, len(fresh)))
    chosen += rng.sample(again, count - len(chosen))
    rng.shuffle(chosen)
    return chosen


def correct_choices(question: dict) -> tuple[str, ...]:
    return tuple(c["id"] for c in question["choices"] if c.get("correct"))


def grade(bank: dict[str, dict], question_ids: list[str], answers: dict[str, list[str]]) -> Grade:
    """All-or-nothing per question: the chosen set must equal the correct set.

    Raises InvalidAnswer for answers to questions outside the attempt, unknown
    choice ids, or several choices on a single-answer question.
    """
    unknown = set(answers) - set(question_ids)
    if unknown:
        raise InvalidAnswer(f"questions not in this attempt: {', '.join(sorted(unknown))}")
    results = []
    for question_id in question_ids:
        question = bank[question_id]
        chosen = tuple(answers.get(question_id, ()))
        known = {c["id"] for c in question["choices"]}
        if set(chosen) - known:
            raise InvalidAnswer(f"question {question_id}: unknown choice {', '.join(sorted(set(chosen) - known))}")
        if question["type"] != "multiple" and len(chosen) > 1:
            raise InvalidAnswer(f"question {question_id} takes one answer")
        right = correct_choices(question)
        results.append(QuestionResult(question_id, chosen, right, set(chosen) == set(right)))
    return Grade(tuple(results))
