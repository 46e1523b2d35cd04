"""Does a quiz bank measure knowledge? The score a reader who knows nothing would reach by rule.

A passport is only worth what its quizzes measure. Hand-written banks drift towards answer-shape
cues: the right answer is the longest, true/false keys lean one way, "tick all" wins. Each rule
below is a fixed strategy needing no knowledge; a bank is sound when none of them scores well.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Question = dict[str, Any]
Rule = Callable[[Question], float]

MAX_GUESSING_SCORE = 0.5
MAX_LONGEST_RIGHT = 0.35
MIN_SCENARIO_SHARE = 0.5


def _right(question: Question) -> set[str]:
    return {str(c.get("id")) for c in _choices(question) if c.get("correct") is True}


def _choices(question: Question) -> list[dict]:
    choices = question.get("choices")
    return [c for c in choices if isinstance(c, dict)] if isinstance(choices, list) else []


def _length(choice: dict) -> int:
    return len(str(choice.get("text", "")))


def _by_length(question: Question) -> list[str]:
    return [str(c.get("id")) for c in sorted(_choices(question), key=_length)]


def _extreme(question: Question, longest: bool) -> float:
    """Pick the longest (or shortest) choice; among equal lengths a guesser picks at random."""
    choices = _choices(question)
    if not choices:
        return 0.0
    target = (max if longest else min)(_length(c) for c in choices)
    tied = [c for c in choices if _length(c) == target]
    return sum(c.get("correct") is True for c in tied) / len(tied)


def _ticks(picked: Iterable[str]) -> Rule:
    return lambda question: float(set(picked) == _right(question))


RULES: dict[str, dict[str, Rule]] = {
    "single": {
        "the longest choice": lambda q: _extreme(q, longest=True),
        "the shortest choice": lambda q: _extreme(q, longest=False),
    },
    "true_false": {
        "always true": _ticks(["true"]),
        "always false": _ticks(["false"]),
    },
    "multiple": {
        "tick all": lambda q: float(set(_by_length(q)) == _right(q)),
        "all but the shortest": lambda q: float(set(_by_length(q)[1:]) == _right(q)),
        "the two longest": lambda q: float(set(_by_length(q)[-2:]) == _right(q)),
    },
}


@dataclass(frozen=True)
class BankFigures:
    """What a bank measures: its size, its scenario share and the cues a guesser could use."""

    questions: int
    scenarios: int
    longest_right: float  # share of single-choice questions whose right answer is (one of) the longest
    guessing: float  # best expected score, over a whole attempt, of a fixed rule per question type
    guessing_rules: tuple[str, ...]  # the rule per type that reaches it

    @property
    def scenario_share(self) -> float:
        return self.scenarios / self.questions if self.questions else 0.0

    def __str__(self) -> str:
        return (f"{self.questions} questions ({self.scenarios} scenarios), right answer longest in "
                f"{self.longest_right:.0%} of single-choice, best guessing score {self.guessing:.0%}")


def bank_figures(questions: list[Question]) -> BankFigures:
    """The figures of one bank. Each question type gets its own best rule: a guesser may combine them."""
    questions = [q for q in questions if isinstance(q, dict)]
    total, rules = 0.0, []
    for kind, candidates in RULES.items():
        of_kind = [q for q in questions if q.get("type") == kind]
        if of_kind:
            name, score = max(((n, sum(rule(q) for q in of_kind)) for n, rule in candidates.items()),
                              key=lambda pair: pair[1])
            total += score
            rules.append(name)
    singles = [q for q in questions if q.get("type") == "single"]
    longest = sum(_extreme(q, longest=True) for q in singles) / len(singles) if singles else 0.0
    return BankFigures(len(questions), sum(q.get("kind") == "scenario" for q in questions), longest,
                       total / len(questions) if questions else 0.0, tuple(rules))


def shape_cue(question: Question) -> str | None:
    """A multiple-answer key that a guesser finds by shape alone, named; None when there is none."""
    if question.get("type") != "multiple" or len(_choices(question)) < 3:
        return None
    order, right = _by_length(question), _right(question)
    if set(order[1:]) == right:
        return "its right answers are all choices but the shortest"
    if set(order[-2:]) == right:
        return "its right answers are the two longest choices"
    return None
