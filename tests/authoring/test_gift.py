"""GIFT export: every bank reads back identically, special characters included; and the command."""
from __future__ import annotations

import re

import pytest
import yaml
from click.testing import CliRunner
from flask.cli import ScriptInfo

from lti_tool import create_app
from lti_tool.authoring.cli import content_cli
from lti_tool.authoring.gift import MOODLE_WEIGHTS, export_module, parse_gift, quiz_to_gift
from lti_tool.domain.catalogue import Catalogue, content_root

CATALOGUE = Catalogue(content_root())

SPECIAL = [
    {"id": "q:{1}", "type": "single", "prompt": "Que vaut {a} ~ b = c # d : e \\ f ?\nDeuxième ligne",
     "choices": [
         {"id": "a", "text": "=x~{y}", "correct": True, "feedback": "#1 : bravo {ok}, et \\n n'est pas un saut"},
         {"id": "b", "text": "~%50%faux#", "correct": False, "feedback": "non = ~ ::nom::"},
     ]},
    {"id": "q2", "type": "multiple", "prompt": "::Lesquels ?:: {plusieurs}",
     "choices": [
         {"id": "a", "text": "a=1", "correct": True, "feedback": "oui#1"},
         {"id": "b", "text": "b~2", "correct": True, "feedback": "oui{2}"},
         {"id": "c", "text": "c:3", "correct": True, "feedback": "oui:3"},
         {"id": "d", "text": "%-100%d", "feedback": "non~4"},
         {"id": "e", "text": "e\\", "correct": False, "feedback": "non\\"},
     ]},
    {"id": "q3", "type": "true_false", "prompt": "Vrai {ou} faux : 1 = 1 # ~ ?",
     "choices": [
         {"id": "true", "text": "Vrai", "correct": True, "feedback": "Exact : {oui} = #1"},
         {"id": "false", "text": "Faux", "feedback": "Non ~ c'est vrai"},
     ]},
]


def assert_round_trip(source: list[dict], parsed: list[dict], module_id: str, language: str) -> None:
    assert [q["id"] for q in parsed] == [q["id"] for q in source]
    for original, read in zip(source, parsed, strict=True):
        assert read["name"] == f"{module_id}-{original['id']}"
        assert read["category"] == f"passeport/{module_id}/{language}"
        assert (read["type"], read["prompt"]) == (original["type"], original["prompt"])
        if original["type"] == "true_false":  # GIFT has no choice texts for true/false
            expected = {str(c["id"]).lower(): (bool(c.get("correct")), c["feedback"]) for c in original["choices"]}
            assert {c["id"]: (c["correct"], c["feedback"]) for c in read["choices"]} == expected
        else:
            expected = [(c["text"], bool(c.get("correct")), c["feedback"]) for c in original["choices"]]
            assert [(c["text"], c["correct"], c["feedback"]) for c in read["choices"]] == expected


def assert_moodle_weights(parsed: list[dict]) -> None:
    for question in (q for q in parsed if q["type"] == "multiple"):
        weights = [c["weight"] for c in question["choices"]]
        assert sum(w for w in weights if w > 0) == pytest.approx(100, abs=1e-3)
        assert all(w == -100 for w in weights if w <= 0)
        assert all(any(abs(abs(w) - option) < 1e-9 for option in MOODLE_WEIGHTS) for w in weights)


@pytest.mark.parametrize("module", CATALOGUE.modules, ids=lambda m: m.folder)
def test_every_bank_round_trips(module, tmp_path):
    module_dir = CATALOGUE.root / "modules" / module.folder
    written = export_module(module_dir, tmp_path)
    assert written == [tmp_path / f"{module.folder}.fr.gift", tmp_path / f"{module.folder}.en.gift"]
    for language, path in zip(("fr", "en"), written, strict=True):
        source = yaml.safe_load((module_dir / f"quiz.{language}.yaml").read_text(encoding="utf-8"))["questions"]
        parsed = parse_gift(path.read_text(encoding="utf-8"))
        assert len(parsed) == len(source)
        assert_round_trip(source, parsed, module.id, language)
        assert_moodle_weights(parsed)


def test_special_characters_are_escaped_and_read_back():
    text = quiz_to_gift(SPECIAL, "essai", "fr")
    assert "Que vaut \\{a\\} \\~ b \\= c \\# d \\: e \\\\ f ?\\nDeuxième ligne{" in text
    assert "\n" not in text.split("::essai-q\\:\\{1\\}::")[1].split("{")[0]  # the prompt's newline is escaped
    parsed = parse_gift(text)
    assert_round_trip(SPECIAL, parsed, "essai", "fr")
    assert [c["weight"] for c in parsed[1]["choices"]] == [33.33333, 33.33333, 33.33333, -100, -100]


def test_layout_follows_moodle_gift():
    text = quiz_to_gift(SPECIAL, "essai", "en")
    header, *blocks = text.rstrip("\n").split("\n\n")
    *comments, category = header.splitlines()
    assert comments and all(line.startswith("// ") for line in comments)
    assert category == "$CATEGORY: passeport/essai/en"
    assert len(blocks) == 3 and all(block.startswith("::essai-") for block in blocks)
    assert "//" not in "\n".join(blocks)
    assert blocks[0].splitlines()[1:] == ["\t=\\=x\\~\\{y\\}#\\#1 \\: bravo \\{ok\\}, et \\\\n n'est pas un saut",
                                          "\t~\\~%50%faux\\##non \\= \\~ \\:\\:nom\\:\\:", "}"]
    assert blocks[1].splitlines()[1].startswith("\t~%33.33333%a\\=1#")
    assert blocks[1].splitlines()[4].startswith("\t~%-100%%-100%d#")
    # true/false: the correct value, then the feedback for the wrong answer, then for the right one
    assert blocks[2].splitlines()[1] == "\tTRUE#Non \\~ c'est vrai#Exact \\: \\{oui\\} \\= \\#1"


def test_true_false_with_false_correct():
    question = dict(SPECIAL[2], choices=[dict(SPECIAL[2]["choices"][0], correct=False),
                                         dict(SPECIAL[2]["choices"][1], correct=True)])
    text = quiz_to_gift([question], "essai", "fr")
    assert "\tFALSE#Exact \\: \\{oui\\} \\= \\#1#Non \\~ c'est vrai\n" in text
    [read] = parse_gift(text)
    assert [(c["id"], c["correct"], c["feedback"]) for c in read["choices"]] == [
        ("true", False, "Exact : {oui} = #1"), ("false", True, "Non ~ c'est vrai")]


def test_weights_stay_moodle_grade_options():
    eleven = {"id": "q", "type": "multiple", "prompt": "?",
              "choices": [{"id": str(i), "text": str(i), "correct": i < 11, "feedback": "f"} for i in range(12)]}
    with pytest.raises(ValueError, match="not a Moodle grade option"):
        quiz_to_gift([eleven], "essai", "fr")
    with pytest.raises(ValueError, match="no GIFT form"):
        quiz_to_gift([dict(eleven, type="essay")], "essai", "fr")


# --- the command ---------------------------------------------------------------------------------

def invoke(tmp_path, *args):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    return CliRunner().invoke(content_cli, list(args), obj=ScriptInfo(create_app=lambda: app))


@pytest.mark.parametrize("reference", ["05-vendre-sur-internet", "vendre-sur-internet"])
def test_export_one_module(tmp_path, reference):
    out = tmp_path / "gift"
    result = invoke(tmp_path, "export-gift", reference, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(out / f"05-vendre-sur-internet.{lang}.gift") for lang in ("fr", "en")]
    assert (out / "05-vendre-sur-internet.fr.gift").read_text(encoding="utf-8").startswith("// ")


def test_export_all_modules(tmp_path):
    result = invoke(tmp_path, "export-gift", "--all", "--out", str(tmp_path / "gift"))
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == 36
    assert len(list((tmp_path / "gift").glob("*.gift"))) == 36


@pytest.mark.parametrize(("args", "message"), [
    (["vendre"], r"unknown module 'vendre'; valid modules .*\n  01-se-connecter-a-internet\n.*18-ma-feuille-de-route"),
    ([], "give either a MODULE or --all"),
    (["05-vendre-sur-internet", "--all"], "give either a MODULE or --all"),
])
def test_export_usage_errors(tmp_path, args, message):
    result = invoke(tmp_path, "export-gift", *args, "--out", str(tmp_path / "gift"))
    assert result.exit_code == 2
    assert re.search(message, result.output, re.S), result.output
    assert not (tmp_path / "gift").exists()
