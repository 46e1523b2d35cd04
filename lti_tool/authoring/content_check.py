"""The content validator: every defect of ``content/`` found before a learner meets it.

The content is written by hand in two languages; a missing file, a broken link or a
quiz whose answers differ between French and English would otherwise surface only
in a learner's session. ``check_content`` reports every problem at once, each with
its file and line (Markdown) or key path (YAML), so authors can fix them in one pass.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..domain.catalogue import LANGUAGES
from .quiz_quality import MAX_GUESSING_SCORE, MAX_LONGEST_RIGHT, MIN_SCENARIO_SHARE, bank_figures, shape_cue

MIN_FRENCH_WORDS = 2500
MIN_QUESTIONS = 30
QUESTION_KINDS = ("scenario", "knowledge")
QUESTION_TYPES = ("single", "multiple", "true_false")
FRAMEWORKS = ("crcn", "digcomp")
COURSE_KEYS = (("passport", "min_modules"), ("passport", "pass_mark"), ("quiz", "questions_per_attempt"), ("modules",))

WORD = re.compile(r"\w+(?:['’-]\w+)*")
MODULE_FOLDER = re.compile(r"(\d{2})-(.+)")
H1 = re.compile(r"# \S")
FENCE = re.compile(r"\s{0,3}(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")
LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--")

Keys = tuple[Any, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: faster, same marks


@dataclass(frozen=True)
class Problem:
    """One defect: the file (relative to the content root), where in it, and what is wrong."""

    path: str
    where: str  # a line number ("12") or a YAML key path ("questions[3].choices[1].feedback"); "" = whole file
    message: str
    line: int | None = None  # for a YAML key: the line of that key (or of its closest parent), as a bonus

    def __str__(self) -> str:
        where = f"{self.where}:" if self.where else ""
        line = f" (line {self.line})" if self.line else ""
        return f"{self.path}:{where} {self.message}{line}"


@dataclass(frozen=True)
class _Yaml:
    """A parsed YAML file with its node tree, so that a problem names both its key path and its line."""

    path: str
    data: Any
    node: yaml.Node | None

    def problem(self, keys: Keys, message: str) -> Problem:
        node = self.node
        for key in keys:
            node = _child(node, key) or node
        return Problem(self.path, _key_path(keys), message, node.start_mark.line + 1 if node else None)


def check_content(root: Path, today: date | None = None) -> list[Problem]:
    """Every problem of the content tree at ``root``; an empty list means it can ship.

    ``today`` dates the review-freshness rule (the real date by default).
    """
    return list(_check_tree(Path(root), today or date.today()))


def french_word_count(module_dir: Path) -> int:
    """Words of the module's French lessons, counted as the 2,500-word minimum is defined."""
    return sum(len(WORD.findall(path.read_text(encoding="utf-8"))) for path in sorted((module_dir / "fr").glob("*.md")))


OFFICIAL_DOMAINS = (  # primary sources the lessons cite: public bodies and their registries
    "gouv.fr", "service-public.fr", "legifrance.gouv.fr", "europa.eu", "cnil.fr", "urssaf.fr", "arcep.fr",
    "inpi.fr", "bpifrance.fr", "banque-france.fr", "afnic.fr", "ademe.fr", "pix.fr", "cci.fr", "artisanat.fr",
    "net-entreprises.fr", "boamp.fr", "bloctel.gouv.fr",
)


@dataclass(frozen=True)
class Link:
    """An external link of a lesson: where it is, and what can be said of it without the network."""

    path: str
    line: int
    url: str

    @property
    def official(self) -> bool:
        host = (urlsplit(self.url).hostname or "").lower()
        return any(host == domain or host.endswith("." + domain) for domain in OFFICIAL_DOMAINS)

    @property
    def defect(self) -> str | None:
        parts = urlsplit(self.url)
        if parts.scheme != "https" or not parts.hostname:
            return "not an absolute https URL"
        if parts.path in ("", "/") and not parts.query and _is_main_site(parts.hostname):
            return "a site's home page: link the precise page"
        return None

    @property
    def standing(self) -> str:
        return self.defect or ("official source" if self.official else "other source")

    def problem(self) -> Problem:
        return Problem(self.path, str(self.line), f"link {self.url}: {self.defect}")


def _is_main_site(host: str) -> bool:
    """www.arcep.fr/ is a home page; cartefibre.arcep.fr/ is a dedicated service whose root is the page itself."""
    labels = host.lower().split(".")
    return labels[0] == "www" or len(labels) <= 2


def external_links(root: Path) -> list[Link]:
    """Every absolute link of every lesson, in both languages, in file order."""
    found = []
    for lesson in sorted(Path(root).glob("modules/*/*/*.md")):
        lines = lesson.read_text(encoding="utf-8").splitlines()
        for number, line in _prose_lines(lines):
            found += [Link(_relative(lesson, root), number, target) for bang, _label, target in LINK.findall(line)
                      if not bang and SCHEME.match(target) and not target.startswith("mailto:")]
    return found


# --- the tree and course.yaml ---------------------------------------------------------------------

def _check_tree(root: Path, today: date) -> Iterator[Problem]:
    course, problems = _load_yaml(root, root / "course.yaml")
    yield from problems
    competences, problems = _load_yaml(root, root / "competences.yaml")
    yield from problems
    if competences:
        yield from _check_frameworks(competences)
    if not course:
        return
    yield from _check_course(course, root)
    codes = competences.data if competences and isinstance(competences.data, dict) else None
    cast: dict[str, str] = {}
    for folder in _existing_folders(course, root):
        yield from _check_module(root / "modules" / folder, root, codes, today)
        yield from _check_cast(root / "modules" / folder, root, cast)


def _check_course(course: _Yaml, root: Path) -> Iterator[Problem]:
    for keys in COURSE_KEYS:
        if _get(course.data, keys) is None:
            yield course.problem(keys, "required key missing")
    listed = _list(course, ("modules",))
    for index, folder in enumerate(listed):
        if not (root / "modules" / str(folder)).is_dir():
            yield course.problem(("modules", index), f"module folder modules/{folder} does not exist")
    yield from _duplicates(course, ("modules",), None)
    unlisted = sorted(p.name for p in (root / "modules").glob("*") if p.is_dir() and p.name not in listed)
    for folder in unlisted if listed else []:  # with no list at all, its absence is the one problem
        yield Problem(f"modules/{folder}", "", "module folder not listed in course.yaml modules")


def _existing_folders(course: _Yaml, root: Path) -> list[str]:
    """The listed folders that exist (a missing one is already reported by the course check)."""
    return [f for f in dict.fromkeys(map(str, _list(course, ("modules",)))) if (root / "modules" / f).is_dir()]


def _check_frameworks(competences: _Yaml) -> Iterator[Problem]:
    for framework in FRAMEWORKS:
        if not isinstance(_get(competences.data, (framework,)), dict):
            yield competences.problem((framework,), "required mapping of codes to names missing")


# --- a module ----------------------------------------------------------------------------------

def _check_module(module_dir: Path, root: Path, codes: dict | None, today: date) -> Iterator[Problem]:
    meta, problems = _load_yaml(root, module_dir / "module.yaml")
    yield from problems
    files, section_ids = [], set()
    if meta:
        yield from _check_metadata(meta, module_dir.name, codes)
        yield from _check_review(meta, today)
        sections = [s for s in _list(meta, ("sections",)) if isinstance(s, dict)]
        files = [s["file"] for s in sections if isinstance(s.get("file"), str)]
        section_ids = {s["id"] for s in sections if isinstance(s.get("id"), str)}
    for language in LANGUAGES:
        yield from _check_lessons(module_dir / language, root, files)
    words = french_word_count(module_dir)
    if words < MIN_FRENCH_WORDS:
        yield Problem(_relative(module_dir / "fr", root), "",
                      f"{words:,} French words, below the {MIN_FRENCH_WORDS:,} minimum")
    yield from _check_quizzes(module_dir, root, section_ids)


def _check_review(meta: _Yaml, today: date) -> Iterator[Problem]:
    """Lessons state laws, prices and dates: each module says when it was last checked, within a year."""
    reviewed = _get(meta.data, ("reviewed",))
    if not isinstance(reviewed, date):
        yield meta.problem(("reviewed",), f"must be the date of the last review (YYYY-MM-DD), found {reviewed!r}")
    elif reviewed > today:
        yield meta.problem(("reviewed",), f"review date {reviewed} is in the future")
    elif today > _a_year_after(reviewed):
        yield meta.problem(("reviewed",), f"last reviewed {reviewed}, more than 12 months ago: review the module")


def _a_year_after(day: date) -> date:
    """The same day twelve months later (29 February: the 28th)."""
    return day.replace(year=day.year + 1, day=min(day.day, 28) if day.month == 2 else day.day)


def _check_cast(module_dir: Path, root: Path, cast: dict[str, str]) -> Iterator[Problem]:
    """One business per name across the course: a name that returns must be the same business."""
    meta, _ = _load_yaml(root, module_dir / "module.yaml")
    if not meta:
        return  # already reported by the module check
    name = _get(meta.data, ("running_example", "name"))
    if not isinstance(name, str) or not name.strip():
        yield meta.problem(("running_example", "name"), "required: the name of the module's running-example business")
        return
    first = cast.setdefault(name.strip().casefold(), module_dir.name)
    if first != module_dir.name:
        yield meta.problem(("running_example", "name"), f"{name!r} is already the running example of {first}")


def _check_metadata(meta: _Yaml, folder: str, codes: dict | None) -> Iterator[Problem]:
    yield from _check_identity(meta, folder)
    for keys in (("title", "fr"), ("title", "en"), ("summary", "fr"), ("summary", "en")):
        yield from _text_problems(meta, keys)
    minutes = _get(meta.data, ("estimated_minutes",))
    if not (isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0):
        yield meta.problem(("estimated_minutes",), f"must be a positive whole number of minutes, found {minutes!r}")
    yield from _list_problems(meta, ("objectives",), 3, 5)
    yield from _each_text(meta, ("objectives",), LANGUAGES)
    yield from _check_competences(meta, codes)
    yield from _list_problems(meta, ("sections",), 5, 8)
    yield from _each_text(meta, ("sections",), ("id", "file"))
    yield from _duplicates(meta, ("sections",), "id")
    yield from _duplicates(meta, ("sections",), "file")


def _check_identity(meta: _Yaml, folder: str) -> Iterator[Problem]:
    """The folder name ``NN-id`` is what the course lists; id and order must agree with it."""
    match = MODULE_FOLDER.fullmatch(folder)
    if not match:
        yield meta.problem((), f"module folder {folder!r} is not named NN-id")
        return
    module_id, order = _get(meta.data, ("id",)), _get(meta.data, ("order",))
    if module_id != match[2]:
        yield meta.problem(("id",), f"must be the folder name without its number, {match[2]!r}, found {module_id!r}")
    if order != int(match[1]) or isinstance(order, bool):
        yield meta.problem(("order",), f"must be the folder number, {int(match[1])}, found {order!r}")


def _check_competences(meta: _Yaml, codes: dict | None) -> Iterator[Problem]:
    for framework in FRAMEWORKS:
        keys = ("competences", framework)
        yield from _list_problems(meta, keys, 1)
        known = (codes or {}).get(framework)
        if not isinstance(known, dict):
            continue  # competences.yaml itself is reported
        for index, code in enumerate(_list(meta, keys)):
            if str(code) not in known:
                yield meta.problem(keys + (index,), f"unknown {framework} code {code!r} (not in competences.yaml)")


# --- lessons -----------------------------------------------------------------------------------

def _check_lessons(folder: Path, root: Path, files: list[str]) -> Iterator[Problem]:
    present = {path.name for path in folder.glob("*.md")}
    for name in files:
        if name not in present:
            yield Problem(_relative(folder / name, root), "", "section file missing (listed in module.yaml sections)")
    for name in sorted(present - set(files)):
        yield Problem(_relative(folder / name, root), "", "file not listed in module.yaml sections")
    for name in sorted(present):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        for number, message in _markdown_defects(lines, present):
            yield Problem(_relative(folder / name, root), str(number), message)


def _markdown_defects(lines: list[str], siblings: set[str]) -> Iterator[tuple[int, str]]:
    """(line, message) pairs: the heading rule, then links, images and HTML line by line."""
    prose = list(_prose_lines(lines))
    headings = [number for number, line in prose if H1.match(line)]
    if headings[:1] != [1]:
        yield 1, "must start with a level-1 heading '# Title'"
    for number in headings[1:]:
        yield number, "second level-1 heading; sub-headings are '##' or '###'"
    for number, line in prose:
        yield from ((number, message) for message in _inline_defects(line, siblings))


def _prose_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Numbered lines outside code, inline code removed: code may show '#', '<b>' or '[x](y)' literally."""
    in_fence = False
    for number, line in enumerate(lines, start=1):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            yield number, INLINE_CODE.sub("", line)


def _inline_defects(line: str, siblings: set[str]) -> Iterator[str]:
    for bang, label, target in LINK.findall(line):
        if bang and not label.strip():
            yield f"image without alt text: ![]({target})"
        elif not bang and not SCHEME.match(target) and not target.startswith("#"):
            if target.split("#", 1)[0] not in siblings:
                yield f"broken link to {target!r}: no such file in this language folder"
    tag = HTML_TAG.search(line)
    if tag:
        yield f"raw HTML {tag[0]!r}: write Markdown instead"


# --- quiz banks --------------------------------------------------------------------------------

def _check_quizzes(module_dir: Path, root: Path, section_ids: set[str]) -> Iterator[Problem]:
    banks = {}
    for language in LANGUAGES:
        bank, problems = _load_yaml(root, module_dir / f"quiz.{language}.yaml")
        yield from problems
        if bank:
            banks[language] = bank
            yield from _check_bank(bank, section_ids)
    if len(banks) == 2:
        yield from _compare_banks(banks["fr"], banks["en"])


def _check_bank(bank: _Yaml, section_ids: set[str]) -> Iterator[Problem]:
    yield from _list_problems(bank, ("questions",), MIN_QUESTIONS)
    yield from _duplicates(bank, ("questions",), "id")
    for index in range(len(_list(bank, ("questions",)))):
        yield from _check_question(bank, ("questions", index))
        yield from _check_question_use(bank, ("questions", index), section_ids)
    yield from _check_measurement(bank)


def _check_question_use(bank: _Yaml, keys: Keys, section_ids: set[str]) -> Iterator[Problem]:
    """What a question is for: its kind, the section a wrong answer sends the learner back to, no shape cue."""
    question = _get(bank.data, keys)
    if not isinstance(question, dict):
        return
    if question.get("kind") not in QUESTION_KINDS:
        yield bank.problem(keys + ("kind",),
                           f"must be one of {', '.join(QUESTION_KINDS)}, found {question.get('kind')!r}")
    if question.get("section") not in section_ids:
        yield bank.problem(keys + ("section",),
                           f"must be a section id of module.yaml, found {question.get('section')!r}")
    cue = shape_cue(question)
    if cue:
        yield bank.problem(keys + ("choices",), f"a guesser finds this key by shape: {cue}")


def _check_measurement(bank: _Yaml) -> Iterator[Problem]:
    """A reader who opened no lesson must fail the bank, whatever fixed rule they follow."""
    figures = bank_figures(_list(bank, ("questions",)))
    if not figures.questions:
        return
    if figures.scenario_share < MIN_SCENARIO_SHARE:
        yield bank.problem(("questions",), f"{figures.scenarios} scenario questions of {figures.questions}; "
                                           f"at least {MIN_SCENARIO_SHARE:.0%} must be scenarios")
    if figures.longest_right > MAX_LONGEST_RIGHT:
        yield bank.problem(("questions",), f"the right answer is the longest choice in {figures.longest_right:.0%} "
                                           f"of single-choice questions (at most {MAX_LONGEST_RIGHT:.0%})")
    if figures.guessing > MAX_GUESSING_SCORE:
        yield bank.problem(("questions",), f"a no-knowledge guesser scores {figures.guessing:.0%} "
                                           f"({', '.join(figures.guessing_rules)}); at most {MAX_GUESSING_SCORE:.0%}")


def _check_question(bank: _Yaml, keys: Keys) -> Iterator[Problem]:
    question = _get(bank.data, keys)
    if not isinstance(question, dict):
        yield bank.problem(keys, "a question must be a mapping")
        return
    yield from _text_problems(bank, keys + ("id",))
    if question.get("type") not in QUESTION_TYPES:
        yield bank.problem(keys + ("type",),
                           f"unknown type {question.get('type')!r}; allowed: {', '.join(QUESTION_TYPES)}")
    yield from _text_problems(bank, keys + ("prompt",))
    yield from _list_problems(bank, keys + ("choices",), 2)
    # true_false ids have their own rule below, which also names the unquoted-boolean slip
    fields = ("text", "feedback") if question.get("type") == "true_false" else ("id", "text", "feedback")
    yield from _each_text(bank, keys + ("choices",), fields)
    yield from _duplicates(bank, keys + ("choices",), "id")
    for index, choice in enumerate(_list(bank, keys + ("choices",))):
        if isinstance(choice, dict) and not isinstance(choice.get("correct", False), bool):
            yield bank.problem(keys + ("choices", index, "correct"), "must be true or false")
    yield from _answer_problems(bank, keys, question.get("type"))


def _answer_problems(bank: _Yaml, keys: Keys, kind: Any) -> Iterator[Problem]:
    """The answer key each type needs (a choice without ``correct`` is a wrong one)."""
    choices = [c for c in _list(bank, keys + ("choices",)) if isinstance(c, dict)]
    correct = sum(c.get("correct") is True for c in choices)
    where = keys + ("choices",)
    if kind in ("single", "true_false") and correct != 1:
        yield bank.problem(where, f"a {kind} question needs exactly one correct choice, found {correct}")
    if kind == "multiple" and not 0 < correct < len(choices):
        yield bank.problem(where, f"a multiple question needs at least one correct and one incorrect choice, "
                                  f"found {correct} correct of {len(choices)}")
    ids = [c.get("id") for c in choices]
    if kind == "true_false" and (len(ids) != 2 or set(ids) != {"true", "false"}):
        yield bank.problem(where, f'true_false choices must have the ids "true" and "false" (quoted), found {ids!r}')


def _compare_banks(french: _Yaml, english: _Yaml) -> Iterator[Problem]:
    """Both banks are one question set: ids, types, choice ids and answers must be identical.

    Reported on the English file, one (the first) difference per question; after a
    question id difference the banks are out of step, so comparison stops there.
    """
    fr_questions, en_questions = _list(french, ("questions",)), _list(english, ("questions",))
    # the banks may differ in length: that is reported after the questions both have are compared
    for index, (fr_question, en_question) in enumerate(zip(fr_questions, en_questions, strict=False)):
        difference = next(((keys, label, fr, en) for (keys, label, fr), (_, _, en)
                           in zip(_signature(fr_question), _signature(en_question), strict=False) if fr != en), None)
        if difference:
            keys, label, fr, en = difference
            yield english.problem(("questions", index) + keys,
                                  f"{label} differs between languages: {fr!r} in quiz.fr.yaml, {en!r} here")
            if keys == ("id",):
                return
    if len(fr_questions) != len(en_questions):
        yield english.problem(("questions",),
                              f"{len(en_questions)} questions here, {len(fr_questions)} in quiz.fr.yaml")


def _signature(question: Any) -> list[tuple[Keys, str, Any]]:
    """What must not differ between languages, in the order a difference is worth reporting."""
    question = question if isinstance(question, dict) else {}
    choices = question.get("choices") if isinstance(question.get("choices"), list) else []
    choices = [c if isinstance(c, dict) else {} for c in choices]
    return ([(("id",), "question id", question.get("id")), (("type",), "type", question.get("type")),
             (("kind",), "kind", question.get("kind")), (("section",), "section", question.get("section")),
             (("choices",), "number of choices", len(choices))]
            + [(("choices", i, "id"), "choice id", c.get("id")) for i, c in enumerate(choices)]
            + [(("choices", i, "correct"), "correct answer", c.get("correct") is True) for i, c in enumerate(choices)])


# --- YAML helpers ------------------------------------------------------------------------------

def _load_yaml(root: Path, path: Path) -> tuple[_Yaml | None, list[Problem]]:
    """The file parsed once into nodes (for lines) and data; or why it could not be."""
    relative = _relative(path, root)
    if not path.is_file():
        return None, [Problem(relative, "", "file missing")]
    loader = _Loader(path.read_text(encoding="utf-8"))
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        return None, [Problem(relative, str(mark.line + 1) if mark else "", f"YAML syntax error: {reason}")]
    finally:
        loader.dispose()
    return _Yaml(relative, data, node), list(_duplicate_keys(relative, node))


def _duplicate_keys(relative: str, node: yaml.Node | None) -> Iterator[Problem]:
    """PyYAML silently keeps the last of two equal keys; a doubled key is always a slip."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                yield Problem(relative, str(key.start_mark.line + 1), f"duplicate key {key.value!r}")
            seen.add(key.value)
            yield from _duplicate_keys(relative, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(relative, item)


def _child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        return next((value for k, value in node.value if k.value == key), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _get(data: Any, keys: Keys) -> Any:
    for key in keys:
        if isinstance(key, int):
            data = data[key] if isinstance(data, list) and key < len(data) else None
        else:
            data = data.get(key) if isinstance(data, dict) else None
    return data


def _list(doc: _Yaml, keys: Keys) -> list:
    value = _get(doc.data, keys)
    return value if isinstance(value, list) else []


def _list_problems(doc: _Yaml, keys: Keys, low: int, high: int | None = None) -> Iterator[Problem]:
    value = _get(doc.data, keys)
    expected = f"{low} to {high}" if high else f"at least {low}"
    if not isinstance(value, list):
        yield doc.problem(keys, f"required list missing ({expected} items)")
    elif len(value) < low or (high is not None and len(value) > high):
        yield doc.problem(keys, f"{len(value)} items, expected {expected}")


def _text_problems(doc: _Yaml, keys: Keys) -> Iterator[Problem]:
    value = _get(doc.data, keys)
    if value is None:
        yield doc.problem(keys, "required key missing")
    elif not isinstance(value, str) or not value.strip():
        yield doc.problem(keys, f"must be non-empty text, found {value!r}")


def _each_text(doc: _Yaml, keys: Keys, fields: tuple[str, ...]) -> Iterator[Problem]:
    for index, item in enumerate(_list(doc, keys)):
        if not isinstance(item, dict):
            yield doc.problem(keys + (index,), f"must be a mapping with {', '.join(fields)}")
            continue
        for field in fields:
            yield from _text_problems(doc, keys + (index, field))


def _duplicates(doc: _Yaml, keys: Keys, field: str | None) -> Iterator[Problem]:
    """Items of a list whose ``field`` (or whole value, if ``field`` is None) repeats an earlier one."""
    first: dict[str, int] = {}
    for index, item in enumerate(_list(doc, keys)):
        value = item.get(field) if field and isinstance(item, dict) else (None if field else item)
        if value is None:
            continue
        earlier = first.setdefault(repr(value), index)
        if earlier != index:
            where, what = keys + ((index, field) if field else (index,)), field or "entry"
            yield doc.problem(where, f"duplicate {what} {value!r} (first at {_key_path(keys + (earlier,))})")


def _key_path(keys: Keys) -> str:
    path = ""
    for key in keys:
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
    return path


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
