"""The content validator: the real tree passes, and each kind of defect is reported at its place."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from flask.cli import ScriptInfo

from lti_tool import create_app
from lti_tool.authoring.cli import content_cli
from lti_tool.authoring.content_check import Problem, check_content, french_word_count
from lti_tool.domain.catalogue import content_root

MODULE = "modules/05-vendre-sur-internet"
FR_QUIZ, EN_QUIZ = f"{MODULE}/quiz.fr.yaml", f"{MODULE}/quiz.en.yaml"
LESSON = f"{MODULE}/fr/02-choisir-ses-canaux.md"


def test_real_content_is_valid():
    problems = check_content(content_root())
    assert problems == [], "\n".join(map(str, problems))


@pytest.fixture(scope="module")
def valid_tree(tmp_path_factory) -> Path:
    """A valid copy of the content."""
    root = tmp_path_factory.mktemp("valid") / "content"
    shutil.copytree(content_root(), root, ignore=shutil.ignore_patterns("__pycache__"))
    assert check_content(root) == []
    return root


@pytest.fixture
def tree(valid_tree, tmp_path) -> Path:
    """A fresh valid copy to break exactly one thing in."""
    return shutil.copytree(valid_tree, tmp_path / "content")


# --- ways to break the copy ----------------------------------------------------------------------

def edit_yaml(relative: str, change):
    def apply(root: Path) -> None:
        path = root / relative
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return apply


def edit_quizzes(change, languages=("fr", "en")):
    """The same change in several banks, so that only the intended defect differs from a valid tree."""
    def apply(root: Path) -> None:
        for language in languages:
            edit_yaml(f"{MODULE}/quiz.{language}.yaml", change)(root)
    return apply


def edit_text(relative: str, change):
    def apply(root: Path) -> None:
        path = root / relative
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return apply


def replace_line(relative: str, number: int, line: str):
    def change(text: str) -> str:
        lines = text.splitlines()
        lines[number - 1] = line
        return "\n".join(lines) + "\n"
    return edit_text(relative, change)


def insert_line(relative: str, number: int, line: str):
    """``line`` becomes line ``number`` of the file."""
    def change(text: str) -> str:
        lines = text.splitlines()
        lines.insert(number - 1, line)
        return "\n".join(lines) + "\n"
    return edit_text(relative, change)


def delete(relative: str):
    return lambda root: (root / relative).unlink()


def write(relative: str, text: str):
    def apply(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return apply


def setitem(path: tuple, value):
    def change(data) -> None:
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value
    return change


def delitem(path: tuple):
    def change(data) -> None:
        for key in path[:-1]:
            data = data[key]
        del data[path[-1]]
    return change


def shorten_french(root: Path) -> None:
    for lesson in (root / MODULE / "fr").glob("*.md"):
        lesson.write_text("# Titre\n\nQuelques mots seulement.\n", encoding="utf-8")


def q(index: int, *rest) -> tuple:
    return ("questions", index) + rest


def sets(*changes):
    """Several ``setitem`` at once: (path, value) pairs."""
    return lambda data: [setitem(path, value)(data) for path, value in changes]


def together(*introductions):
    """Several breaks applied to one tree."""
    def apply(root: Path) -> None:
        for introduce in introductions:
            introduce(root)
    return apply


def retarget(section: str, to: str):
    """Questions that name ``section`` name ``to`` instead: a section change then breaks only the section."""
    def change(data) -> None:
        for question in data["questions"]:
            if question.get("section") == section:
                question["section"] = to
    return edit_quizzes(change)


def case(name: str, introduce, *expected):
    return pytest.param(introduce, list(expected), id=name)


def both(where: str, message: str) -> list[tuple[str, str, str]]:
    """The same problem in both banks (the same change was made to both)."""
    return [(FR_QUIZ, where, message), (EN_QUIZ, where, message)]


META = f"{MODULE}/module.yaml"
EN_LESSON = f"{MODULE}/en/03-les-obligations-legales.md"

DEFECTS = [
    # course.yaml and competences.yaml
    *(case(f"course-missing-{'.'.join(keys)}", edit_yaml("course.yaml", delitem(keys)),
           ("course.yaml", ".".join(keys), "required key missing"))
      for keys in (("passport", "min_modules"), ("passport", "pass_mark"), ("quiz", "questions_per_attempt"))),
    case("course-unknown-folder", edit_yaml("course.yaml", lambda d: d["modules"].append("19-introuvable")),
         ("course.yaml", "modules[18]", "modules/19-introuvable does not exist")),
    case("course-listed-twice", edit_yaml("course.yaml", lambda d: d["modules"].append(d["modules"][4])),
         ("course.yaml", "modules[18]", "duplicate entry '05-vendre-sur-internet' (first at modules[4])")),
    case("course-unlisted-folder", lambda root: (root / "modules" / "19-en-trop").mkdir(),
         ("modules/19-en-trop", "", "not listed in course.yaml")),
    case("competences-missing-framework", edit_yaml("competences.yaml", delitem(("digcomp",))),
         ("competences.yaml", "digcomp", "required mapping")),
    # module.yaml
    case("module-id-not-folder", edit_yaml(META, setitem(("id",), "vendre-en-ligne")),
         (META, "id", "folder name without its number, 'vendre-sur-internet', found 'vendre-en-ligne'")),
    case("module-order-not-folder", edit_yaml(META, setitem(("order",), 6)),
         (META, "order", "folder number, 5, found 6")),
    case("module-title-en-missing", edit_yaml(META, delitem(("title", "en"))),
         (META, "title.en", "required key missing")),
    case("module-summary-empty", edit_yaml(META, setitem(("summary", "fr"), " ")),
         (META, "summary.fr", "must be non-empty text")),
    case("module-minutes-missing", edit_yaml(META, delitem(("estimated_minutes",))),
         (META, "estimated_minutes", "positive whole number")),
    case("module-two-objectives", edit_yaml(META, lambda d: d.update(objectives=d["objectives"][:2])),
         (META, "objectives", "2 items, expected 3 to 5")),
    case("module-six-objectives", edit_yaml(META, lambda d: d["objectives"].append(d["objectives"][0])),
         (META, "objectives", "6 items, expected 3 to 5")),
    case("module-objective-en-missing", edit_yaml(META, delitem(("objectives", 1, "en"))),
         (META, "objectives[1].en", "required key missing")),
    case("module-unknown-crcn", edit_yaml(META, setitem(("competences", "crcn", 0), "9.9")),
         (META, "competences.crcn[0]", "unknown crcn code '9.9'")),
    case("module-digcomp-missing", edit_yaml(META, delitem(("competences", "digcomp"))),
         (META, "competences.digcomp", "required list missing")),
    case("module-duplicate-section-id",
         together(edit_yaml(META, setitem(("sections", 1, "id"), "pourquoi-vendre-en-ligne")),
                  retarget("choisir-ses-canaux", "pourquoi-vendre-en-ligne")),
         (META, "sections[1].id", "duplicate id 'pourquoi-vendre-en-ligne' (first at sections[0])")),
    case("module-section-id-missing",
         together(edit_yaml(META, delitem(("sections", 6, "id"))),
                  retarget("passer-a-l-action", "pourquoi-vendre-en-ligne")),
         (META, "sections[6].id", "required key missing")),
    case("module-nine-sections", edit_yaml(META, lambda d: d["sections"].extend(
             {"id": name, "file": "01-pourquoi-vendre-en-ligne.md"} for name in ("x", "y"))),
         (META, "sections", "9 items, expected 5 to 8"),
         (META, "sections[7].file", "duplicate file '01-pourquoi-vendre-en-ligne.md' (first at sections[0])"),
         (META, "sections[8].file", "duplicate file")),
    # lessons
    case("lesson-en-missing", delete(EN_LESSON),
         (EN_LESSON, "", "section file missing"),  # and the links to it break
         (f"{MODULE}/en/01-pourquoi-vendre-en-ligne.md", "16", "broken link to '03-les-obligations-legales.md'"),
         (f"{MODULE}/en/04-paiement-logistique-et-retours.md", "41", "broken link to '03-les-obligations-legales.md'")),
    case("lesson-fr-missing", delete(f"{MODULE}/fr/07-passer-a-l-action.md"),
         (f"{MODULE}/fr/07-passer-a-l-action.md", "", "section file missing")),
    case("lesson-extra-file", write(f"{MODULE}/en/08-extra.md", "# Extra\n\nSome text.\n"),
         (f"{MODULE}/en/08-extra.md", "", "not listed in module.yaml sections")),
    case("lesson-no-heading", insert_line(LESSON, 1, "Introduction sans titre"),
         (LESSON, "1", "must start with a level-1 heading")),
    case("lesson-starts-with-h2", replace_line(LESSON, 1, "## Choisir ses canaux de vente"),
         (LESSON, "1", "must start with a level-1 heading")),
    case("lesson-second-h1", insert_line(LESSON, 3, "# Un second titre"),
         (LESSON, "3", "second level-1 heading")),
    case("lesson-too-short", shorten_french, (f"{MODULE}/fr", "", "28 French words, below the 2,500 minimum")),
    *(case(f"lesson-broken-link-{target or 'empty'}", insert_line(LESSON, 3, f"Voir [la suite]({target})."),
           (LESSON, "3", f"broken link to '{target}'"))
      for target in ("03-obligations.md", "03-obligations.md#prix", "../en/03-les-obligations-legales.md", "")),
    *(case(f"lesson-image-{n}", insert_line(LESSON, 3, f"Avant {image} après."),
           (LESSON, "3", "image without alt text"))
      for n, image in enumerate(("![](vitrine.png)", "![ ](vitrine.png)", '![](https://example.org/a.png "titre")'))),
    *(case(f"lesson-html-{n}", insert_line(LESSON, 3, f"Texte {html} fin."), (LESSON, "3", "raw HTML"))
      for n, html in enumerate(("<div>bloc</div>", "<br>", "<br/>", '<a href="x">lien</a>', "<!-- note -->"))),
    # quiz banks
    case("quiz-en-missing", delete(EN_QUIZ), (EN_QUIZ, "", "file missing")),
    case("quiz-fr-missing", delete(FR_QUIZ), (FR_QUIZ, "", "file missing")),
    case("quiz-yaml-syntax-error", replace_line(FR_QUIZ, 14, "        correct: true: false"),
         (FR_QUIZ, "14", "YAML syntax error: mapping values")),
    case("quiz-duplicate-yaml-key", insert_line(FR_QUIZ, 12, '        feedback: "Encore."'),
         (FR_QUIZ, "12", "duplicate key 'feedback'")),
    case("quiz-twenty-nine-questions", edit_quizzes(lambda d: d.update(questions=d["questions"][:29])),
         *both("questions", "29 items, expected at least 30")),
    case("quiz-duplicate-question-id", edit_quizzes(setitem(q(1, "id"), "q01")),
         *both("questions[1].id", "duplicate id 'q01' (first at questions[0])")),
    case("quiz-question-id-mismatch", edit_quizzes(setitem(q(2, "id"), "q99"), ["en"]),
         (EN_QUIZ, "questions[2].id", "question id differs between languages: 'q03' in quiz.fr.yaml, 'q99' here")),
    case("quiz-choice-id-mismatch", edit_quizzes(setitem(q(0, "choices", 1, "id"), "z"), ["en"]),
         (EN_QUIZ, "questions[0].choices[1].id", "choice id differs between languages: 'b' in quiz.fr.yaml, 'z' here")),
    case("quiz-type-mismatch", edit_quizzes(setitem(q(0, "type"), "multiple"), ["en"]),
         (EN_QUIZ, "questions[0].type", "type differs between languages: 'single' in quiz.fr.yaml, 'multiple' here")),
    case("quiz-correct-answer-mismatch",
         edit_quizzes(sets((q(0, "choices", 0, "correct"), True), (q(0, "choices", 1, "correct"), False)), ["en"]),
         (EN_QUIZ, "questions[0].choices[0].correct",
          "correct answer differs between languages: False in quiz.fr.yaml")),
    case("quiz-question-count-mismatch",
         edit_quizzes(lambda d: d["questions"].append(dict(d["questions"][0], id="q99")), ["en"]),
         (EN_QUIZ, "questions", "33 questions here, 32 in quiz.fr.yaml")),
    case("quiz-unknown-type", edit_quizzes(setitem(q(0, "type"), "essay")),
         *both("questions[0].type", "unknown type 'essay'; allowed: single, multiple, true_false")),
    case("quiz-single-two-correct", edit_quizzes(setitem(q(0, "choices", 0, "correct"), True)),
         *both("questions[0].choices", "single question needs exactly one correct choice, found 2")),
    case("quiz-single-none-correct", edit_quizzes(setitem(q(0, "choices", 1, "correct"), False)),
         *both("questions[0].choices", "single question needs exactly one correct choice, found 0")),
    case("quiz-multiple-all-correct",
         edit_quizzes(lambda d: [c.update(correct=True) for c in d["questions"][2]["choices"]]),
         *both("questions[2].choices", "at least one correct and one incorrect choice, found 5 correct of 5")),
    case("quiz-multiple-none-correct",
         edit_quizzes(lambda d: [c.update(correct=False) for c in d["questions"][2]["choices"]]),
         *both("questions[2].choices", "at least one correct and one incorrect choice, found 0 correct of 5")),
    case("quiz-true-false-ids-wrong",
         edit_quizzes(sets((q(1, "choices", 0, "id"), "vrai"), (q(1, "choices", 1, "id"), "faux"))),
         *both("questions[1].choices", 'must have the ids "true" and "false" (quoted), found [\'vrai\', \'faux\']')),
    case("quiz-true-false-ids-unquoted",
         edit_quizzes(sets((q(1, "choices", 0, "id"), True), (q(1, "choices", 1, "id"), False))),
         *both("questions[1].choices", "(quoted), found [True, False]")),
    case("quiz-true-false-both-correct", edit_quizzes(setitem(q(1, "choices", 0, "correct"), True)),
         *both("questions[1].choices", "true_false question needs exactly one correct choice, found 2")),
    case("quiz-duplicate-choice-id", edit_quizzes(setitem(q(0, "choices", 1, "id"), "a")),
         *both("questions[0].choices[1].id", "duplicate id 'a' (first at questions[0].choices[0])")),
    case("quiz-empty-prompt", edit_quizzes(setitem(q(3, "prompt"), ""), ["fr"]),
         (FR_QUIZ, "questions[3].prompt", "must be non-empty text")),
    case("quiz-empty-choice-text", edit_quizzes(setitem(q(0, "choices", 2, "text"), "  "), ["en"]),
         (EN_QUIZ, "questions[0].choices[2].text", "must be non-empty text")),
    case("quiz-missing-feedback", edit_quizzes(delitem(q(0, "choices", 1, "feedback")), ["fr"]),
         (FR_QUIZ, "questions[0].choices[1].feedback", "required key missing")),
    case("quiz-empty-feedback", edit_quizzes(setitem(q(5, "choices", 0, "feedback"), ""), ["en"]),
         (EN_QUIZ, "questions[5].choices[0].feedback", "must be non-empty text")),
    case("quiz-correct-not-boolean", edit_quizzes(setitem(q(0, "choices", 0, "correct"), "non"), ["fr"]),
         (FR_QUIZ, "questions[0].choices[0].correct", "must be true or false")),
]


@pytest.mark.parametrize(("introduce", "expected"), DEFECTS)
def test_each_defect_is_reported_at_its_place(tree, introduce, expected):
    introduce(tree)
    problems = check_content(tree)
    shown = "\n".join(map(str, problems))
    assert len(problems) == len(expected), shown
    for path, where, message in expected:
        assert any(p.path == path and p.where == where and message in p.message for p in problems), shown


def test_yaml_problems_carry_the_line_of_their_key(tree):
    replace_line(FR_QUIZ, 15, '        feedback: ""')(tree)
    [problem] = check_content(tree)
    assert (problem.where, problem.line) == ("questions[0].choices[1].feedback", 15)
    assert str(problem) == f"{FR_QUIZ}:questions[0].choices[1].feedback: must be non-empty text, found '' (line 15)"


def test_links_images_and_code_that_are_fine(tree):
    fine = ["[la loi](https://www.legifrance.gouv.fr/) et [écrire](mailto:contact@example.org)",
            "[plus haut](#les-canaux) et [les obligations](03-les-obligations-legales.md#retractation)",
            "![Une vitrine](vitrine.png), <https://example.org> et `<div>` ou `[x](absent.md)`",
            "```", "# un commentaire de code", "<b>exemple</b> [x](absent.md)", "```"]
    for offset, line in enumerate(fine):
        insert_line(LESSON, 3 + offset, line)(tree)
    assert check_content(tree) == []


def test_problem_text():
    assert str(Problem("a/b.md", "12", "broken link")) == "a/b.md:12: broken link"
    assert str(Problem("q.yaml", "questions[3].id", "duplicate", 40)) == "q.yaml:questions[3].id: duplicate (line 40)"
    assert str(Problem("a/fr/x.md", "", "file missing")) == "a/fr/x.md: file missing"


def test_french_word_count(tmp_path):
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "01-a.md").write_text("# L'économie numérique\n\nC’est peut-être **aujourd'hui** : 2 500 mots.")
    (tmp_path / "fr" / "02-b.md").write_text("Deux mots\n")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "01-a.md").write_text("Not counted at all\n")
    # L'économie, numérique, C’est, peut-être, aujourd'hui, 2, 500, mots + Deux, mots
    assert french_word_count(tmp_path) == 10


# --- the command ---------------------------------------------------------------------------------

def invoke(tmp_path, *args):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    return CliRunner().invoke(content_cli, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_check_command_on_valid_content(tree, tmp_path):
    result = invoke(tmp_path, "check", "--root", str(tree))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == "content OK"
    assert len(lines) == 18 * 3 + 1  # per module: its French bank, its English bank, its word count
    assert re.fullmatch(r"05-vendre-sur-internet \[fr\]: 32 questions \(\d+ scenarios\), right answer longest in "
                        r"\d+% of single-choice, best guessing score \d+%", lines[12]), lines[12]
    assert re.fullmatch(r"05-vendre-sur-internet: \d,\d{3} French words", lines[14]), lines[14]


def test_check_command_lists_problems_and_fails(tree, tmp_path):
    delete(f"{MODULE}/en/03-les-obligations-legales.md")(tree)
    replace_line(FR_QUIZ, 14, "        correct: true: false")(tree)
    result = invoke(tmp_path, "check", "--root", str(tree))
    assert result.exit_code == 1
    assert f"{EN_LESSON}: section file missing (listed in module.yaml sections)" in result.output
    assert f"{FR_QUIZ}:14: YAML syntax error" in result.output
    assert "content OK" not in result.output


def test_check_command_defaults_to_the_installed_content(tmp_path):
    """The shipped content is valid (test_real_content_is_valid): the default run passes over its 18 modules."""
    result = invoke(tmp_path, "check")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == "content OK" and len(lines) == 55
    assert lines[12].startswith("05-vendre-sur-internet [fr]: 32 questions (")
