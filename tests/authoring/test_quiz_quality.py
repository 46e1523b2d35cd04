"""What a no-knowledge guesser scores on a bank, and the content check that fails a guessable bank."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from lti_tool.authoring.content_check import check_content, external_links
from lti_tool.authoring.quiz_quality import bank_figures, shape_cue
from lti_tool.domain.catalogue import content_root

MODULE = "modules/05-vendre-sur-internet"


def single(right: str, *texts: str, kind: str = "knowledge") -> dict:
    return {"type": "single", "kind": kind,
            "choices": [{"id": t, "text": t, "correct": t == right} for t in texts]}


def true_false(answer: bool) -> dict:
    return {"type": "true_false", "kind": "knowledge",
            "choices": [{"id": "true", "text": "Vrai", "correct": answer},
                        {"id": "false", "text": "Faux", "correct": not answer}]}


def multiple(right: set[str], *texts: str) -> dict:
    return {"type": "multiple", "kind": "scenario",
            "choices": [{"id": t, "text": t, "correct": t in right} for t in texts]}


def test_a_bank_whose_right_answer_is_always_the_longest_is_fully_guessable():
    bank = [single("cccc", "a", "bb", "cccc"), single("dddddd", "dddddd", "e", "ff")]
    figures = bank_figures(bank)
    assert figures.longest_right == 1.0
    assert figures.guessing == 1.0
    assert figures.guessing_rules == ("the longest choice",)


def test_each_question_type_gets_its_own_best_rule():
    bank = [
        single("bb", "a", "bb", "cccc"),      # neither longest nor shortest
        single("a", "a", "bb", "cccc"),       # the shortest: "the shortest choice" gets it
        single("xx", "xx", "yy", "z"),        # the longest is tied: a guesser gets half of it
        true_false(True), true_false(True), true_false(False),
        multiple({"aaaa", "bbb", "cc"}, "aaaa", "bbb", "cc", "d"),  # all but the shortest
        multiple({"cc"}, "aaaa", "bbb", "cc", "d"),
    ]
    figures = bank_figures(bank)
    assert figures.longest_right == pytest.approx(0.5 / 3)
    # shortest: 1 of 3 singles; always true: 2 of 3; all but the shortest: 1 of 2 -> 4 of 8
    assert figures.guessing == pytest.approx(4 / 8)
    assert figures.guessing_rules == ("the shortest choice", "always true", "all but the shortest")
    assert figures.scenarios == 2


def test_shape_cues_of_multiple_answer_keys():
    assert shape_cue(multiple({"aaaa", "bbb", "cc"}, "aaaa", "bbb", "cc", "d")) == \
        "its right answers are all choices but the shortest"
    assert shape_cue(multiple({"aaaa", "bbb"}, "aaaa", "bbb", "cc", "d")) == \
        "its right answers are the two longest choices"
    assert shape_cue(multiple({"aaaa", "cc"}, "aaaa", "bbb", "cc", "d")) is None
    assert shape_cue(single("a", "a", "bb")) is None


# --- the content check on a copy of the real tree -------------------------------------------------

@pytest.fixture
def tree(tmp_path) -> Path:
    root = shutil.copytree(content_root(), tmp_path / "content", ignore=shutil.ignore_patterns("__pycache__"))
    assert check_content(root) == []
    return root


def rewrite(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def messages(root: Path, today: date | None = None) -> list[str]:
    return [f"{p.path}:{p.where}: {p.message}" for p in check_content(root, today)]


def test_a_bank_a_guesser_passes_is_refused(tree):
    def longest_is_right(data):
        for question in data["questions"]:
            if question["type"] == "single":
                for choice in question["choices"]:
                    choice["text"] = "une réponse nettement plus longue que les autres" if choice["correct"] else "non"
    for language in ("fr", "en"):
        rewrite(tree / MODULE / f"quiz.{language}.yaml", longest_is_right)
    found = messages(tree)
    assert any(m.startswith(f"{MODULE}/quiz.fr.yaml:questions: the right answer is the longest choice in 100%")
               for m in found), found
    assert any(m.startswith(f"{MODULE}/quiz.en.yaml:questions: a no-knowledge guesser scores") for m in found), found


def test_every_question_names_its_kind_and_an_existing_section(tree):
    def unsectioned(data):
        data["questions"][0]["section"] = "no-such-section"
        del data["questions"][1]["kind"]
    for language in ("fr", "en"):
        rewrite(tree / MODULE / f"quiz.{language}.yaml", unsectioned)
    found = messages(tree)
    assert f"{MODULE}/quiz.fr.yaml:questions[0].section: must be a section id of module.yaml, " \
           f"found 'no-such-section'" in found
    assert f"{MODULE}/quiz.fr.yaml:questions[1].kind: must be one of scenario, knowledge, found None" in found


def test_a_bank_of_recall_questions_is_refused(tree):
    def all_knowledge(data):
        for question in data["questions"]:
            question["kind"] = "knowledge"
    for language in ("fr", "en"):
        rewrite(tree / MODULE / f"quiz.{language}.yaml", all_knowledge)
    assert any(m.startswith(f"{MODULE}/quiz.fr.yaml:questions: 0 scenario questions of ") for m in messages(tree))


def test_a_module_not_reviewed_within_a_year_is_stale(tree):
    reviewed = yaml.safe_load((tree / MODULE / "module.yaml").read_text(encoding="utf-8"))["reviewed"]
    anniversary = date(reviewed.year + 1, reviewed.month, reviewed.day)
    assert not [m for m in messages(tree, today=anniversary) if "reviewed" in m]
    stale = [m for m in messages(tree, today=date.fromordinal(anniversary.toordinal() + 1))
             if m.startswith(f"{MODULE}/module.yaml:reviewed:")]
    assert stale == [f"{MODULE}/module.yaml:reviewed: last reviewed {reviewed}, more than 12 months ago: "
                     f"review the module"]
    assert not [m for m in messages(tree, today=reviewed) if "reviewed" in m]


def test_a_business_name_belongs_to_one_module(tree):
    first = yaml.safe_load((tree / "modules/01-se-connecter-a-internet/module.yaml").read_text(encoding="utf-8"))
    name = first["running_example"]["name"]
    rewrite(tree / MODULE / "module.yaml", lambda data: data["running_example"].update(name=name))
    assert f"{MODULE}/module.yaml:running_example.name: {name!r} is already the running example of " \
           f"01-se-connecter-a-internet" in messages(tree)


def test_links_are_listed_with_their_defects(tree):
    lesson = tree / MODULE / "fr/02-choisir-ses-canaux.md"
    lesson.write_text(lesson.read_text(encoding="utf-8")
                      + "\nVoir [le site](http://www.cnil.fr/fr/x), [l'accueil](https://www.example.com/) "
                        "et [la carte](https://cartefibre.arcep.fr).\n",
                      encoding="utf-8")
    links = {link.url: link for link in external_links(tree) if link.path == f"{MODULE}/fr/02-choisir-ses-canaux.md"}
    assert links["http://www.cnil.fr/fr/x"].defect == "not an absolute https URL"
    assert links["https://www.example.com/"].defect == "a site's home page: link the precise page"
    assert not links["https://www.example.com/"].official
    assert links["https://cartefibre.arcep.fr"].defect is None  # a dedicated service: its root is the page
    assert links["https://cartefibre.arcep.fr"].official
    assert all(link.defect is None for link in external_links(content_root())), \
        [f"{link.path}:{link.line} {link.url}" for link in external_links(content_root()) if link.defect]
