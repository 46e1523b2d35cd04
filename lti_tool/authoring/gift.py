"""Moodle GIFT export of the quiz banks, so a platform's own quiz engine can reuse them.

Follows Moodle's GIFT importer (question/format/gift/format.php):

- ``::name::prompt{…}``, one question per block, blocks separated by a blank line;
  the name is ``<module id>-<question id>`` so question ids survive the import;
- ``single``: ``=right#feedback`` and ``~wrong#feedback``;
- ``true_false``: ``{TRUE#feedback shown for the wrong answer#feedback for the right one}``
  (``FALSE`` when "false" is correct); GIFT has no text for the two choices;
- ``multiple`` (no ``=``, so Moodle offers check boxes): each of the k correct choices
  weighs ``100/k`` percent, each wrong choice ``-100`` percent. Choosing any wrong choice
  therefore brings the question to 0 (Moodle floors it), which is as close to the
  course's all-or-nothing scoring as GIFT weights allow; ``100/k`` is one of Moodle's
  grade options for k = 1…10, so the import works with "Match grades: error".
- ``\\ ~ = # { } :`` are escaped with a backslash and newlines written ``\\n``, as Moodle's
  own exporter does.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..domain.catalogue import LANGUAGES

ESCAPED = "\\~=#{}:"
WRONG_WEIGHT = -100.0
# Moodle's grade options (question_bank::fraction_options_full), as percentages.
MOODLE_WEIGHTS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
                  16.66667, 14.28571, 12.5, 11.11111, 10, 5)

_PLACEHOLDERS = {char: chr(0xE000 + index) for index, char in enumerate(ESCAPED)}
_RESTORE = {ord(placeholder): char for char, placeholder in _PLACEHOLDERS.items()}
_QUESTION = re.compile(r"::(?P<name>.*?)::(?P<prompt>.*?)\{(?P<answers>.*)\}", re.S)
_ANSWER = re.compile(r"([=~])\s*(?:%(-?[\d.]+)%)?([^=~]*)")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def quiz_to_gift(questions: list[dict], module_id: str, language: str) -> str:
    """The bank as a GIFT file: header comments and category, then one block per question."""
    header = "\n".join([
        f"// Passeport pour l'économie numérique: quiz of module {module_id} ({language}), {len(questions)} questions.",
        "// Multiple-answer weights: each correct choice 100/k %, each wrong choice -100 %.",
        f"$CATEGORY: passeport/{module_id}/{language}",
    ])
    return "\n\n".join([header] + [_question(q, module_id) for q in questions]) + "\n"


def export_module(module_dir: Path, out_dir: Path) -> list[Path]:
    """Write ``<out_dir>/<module folder>.<language>.gift`` for both languages; returns the paths."""
    module_id = yaml.safe_load((module_dir / "module.yaml").read_text(encoding="utf-8"))["id"]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for language in LANGUAGES:
        bank = yaml.safe_load((module_dir / f"quiz.{language}.yaml").read_text(encoding="utf-8"))
        target = out_dir / f"{module_dir.name}.{language}.gift"
        target.write_text(quiz_to_gift(bank["questions"], module_id, language), encoding="utf-8")
        written.append(target)
    return written


def escape(text: str) -> str:
    """Text safe inside GIFT: reserved characters backslashed, newlines as ``\\n``."""
    return re.sub(r"[\\~=#{}:]", r"\\\g<0>", str(text)).replace("\r", "").replace("\n", r"\n")


def parse_gift(text: str) -> list[dict]:
    """Read back what ``quiz_to_gift`` writes (not every GIFT feature): one dict per question.

    Each has ``name``, ``id`` (the name without the ``<module id>-`` prefix of its category),
    ``category``, ``type``, ``prompt`` and ``choices``; a choice has ``id`` ("true"/"false"
    for true/false, else None: GIFT has no choice ids), ``text`` (None for true/false),
    ``correct``, ``weight`` (percent) and ``feedback``.
    """
    questions, category = [], None
    for block in re.split(r"\n[ \t]*\n", text):
        body = "\n".join(line for line in block.splitlines() if not line.lstrip().startswith("//")).strip()
        if body.startswith("$CATEGORY:"):
            category = body[len("$CATEGORY:"):].strip()
        elif body:
            questions.append(_parse_question(_hide_escapes(body), category))
    return questions


def _question(question: dict, module_id: str) -> str:
    kind = question["type"]
    if kind not in _WRITERS:
        raise ValueError(f"question {question['id']}: no GIFT form for type {kind!r}")
    answers = "\n".join(f"\t{answer}" for answer in _WRITERS[kind](question["choices"]))
    name = escape(f"{module_id}-{question['id']}")
    return f"::{name}::{escape(question['prompt'])}{{\n{answers}\n}}"


def _single(choices: list[dict]) -> list[str]:
    return [f"{'=' if c.get('correct') else '~'}{_text_and_feedback(c)}" for c in choices]


def _multiple(choices: list[dict]) -> list[str]:
    right = _weight(100 / sum(bool(c.get("correct")) for c in choices))
    return [f"~%{right if c.get('correct') else _weight(WRONG_WEIGHT)}%{_text_and_feedback(c)}" for c in choices]


def _true_false(choices: list[dict]) -> list[str]:
    by_id = {str(c["id"]).lower(): c for c in choices}
    answer = "true" if by_id["true"].get("correct") else "false"
    wrong = "false" if answer == "true" else "true"
    return [f"{answer.upper()}#{escape(by_id[wrong]['feedback'])}#{escape(by_id[answer]['feedback'])}"]


_WRITERS = {"single": _single, "multiple": _multiple, "true_false": _true_false}


def _text_and_feedback(choice: dict) -> str:
    feedback = choice.get("feedback")
    return escape(choice["text"]) + (f"#{escape(feedback)}" if feedback else "")


def _weight(percent: float) -> str:
    """A weight Moodle accepts: one of its grade options, written with 5 decimals at most."""
    if not any(abs(abs(percent) - option) < 1e-3 for option in MOODLE_WEIGHTS):
        raise ValueError(f"{percent:g}% is not a Moodle grade option (too many correct choices?)")
    return f"{percent:.5f}".rstrip("0").rstrip(".")


def _hide_escapes(text: str) -> str:
    """Escaped characters become placeholders so they cannot be read as syntax (as Moodle does)."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else _PLACEHOLDERS.get(m[1], m[0]), text)


def _plain(text: str) -> str:
    return text.translate(_RESTORE).strip()


def _parse_question(body: str, category: str | None) -> dict:
    match = _QUESTION.fullmatch(body)
    if not match:
        raise ValueError(f"not a GIFT question this reader understands: {_plain(body)[:80]!r}")
    name, answers = _plain(match["name"]), match["answers"].strip()
    kind, choices = _parse_true_false(answers) or _parse_choices(answers)
    prefix = f"{category.split('/')[1]}-" if category and category.count("/") >= 2 else ""
    return {"name": name, "id": name.removeprefix(prefix) if prefix else name, "category": category,
            "type": kind, "prompt": _plain(match["prompt"]), "choices": choices}


def _parse_true_false(answers: str) -> tuple[str, list[dict]] | None:
    value, *feedback = answers.split("#", 2)
    if value.strip() not in _TRUE_FALSE:
        return None
    truth = _TRUE_FALSE[value.strip()]
    wrong, right = (feedback + ["", ""])[:2]
    feedback_for = {truth: _plain(right), not truth: _plain(wrong)}
    return "true_false", [_choice(str(v).lower(), None, v is truth, feedback_for[v]) for v in (True, False)]


def _parse_choices(answers: str) -> tuple[str, list[dict]]:
    choices = []
    for mark, weight, body in _ANSWER.findall(answers):
        text, _, feedback = body.partition("#")
        percent = 100.0 if mark == "=" else float(weight or 0)
        choices.append(_choice(None, _plain(text), percent > 0, _plain(feedback), percent))
    return ("single" if "=" in answers else "multiple"), choices


def _choice(choice_id: str | None, text: str | None, correct: bool, feedback: str,
            weight: float | None = None) -> dict[str, Any]:
    weight = (100.0 if correct else 0.0) if weight is None else weight
    return {"id": choice_id, "text": text, "correct": correct, "weight": weight, "feedback": feedback}
