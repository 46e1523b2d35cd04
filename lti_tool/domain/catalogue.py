"""The modules and the course rule, read from the files in ``content/``."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import yaml

LANGUAGES = ("fr", "en")


def content_root() -> Path:
    """The content folder shipped with the package (``content/`` in a checkout)."""
    return Path(str(resources.files("lti_tool.content")))


@dataclass(frozen=True)
class Module:
    id: str
    folder: str
    order: int
    title: dict[str, str]
    summary: dict[str, str]
    objectives: list[dict[str, str]]
    estimated_minutes: int
    programme_2006: bool
    competences: dict[str, list[str]] = field(default_factory=dict)
    sections: list[dict[str, str]] = field(default_factory=list)

    def text(self, value: dict[str, str], locale: str) -> str:
        return value.get(locale) or value["fr"]


@dataclass(frozen=True)
class Section:
    id: str
    file: str
    title: str
    markdown: str


@dataclass(frozen=True)
class PassportRule:
    min_modules: int
    pass_mark: float


class Catalogue:
    """The course as the files describe it; loaded once per process."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root else content_root()
        self.course = yaml.safe_load((self.root / "course.yaml").read_text(encoding="utf-8"))

    @cached_property
    def modules(self) -> list[Module]:
        return [self._load_module(folder) for folder in self.course["modules"]]

    @cached_property
    def _by_id(self) -> dict[str, Module]:
        return {m.id: m for m in self.modules}

    def get(self, module_id: str) -> Module | None:
        return self._by_id.get(module_id)

    def module(self, module_id: str) -> Module:
        """A module the caller knows exists (recorded events name only real modules)."""
        found = self._by_id.get(module_id)
        if found is None:
            raise LookupError(f"no module {module_id!r} in the course")
        return found

    def resolve(self, reference: str | None) -> Module | None:
        """A module from its id (``vendre-sur-internet``) or its folder (``05-vendre-sur-internet``)."""
        if not reference:
            return None
        return self._by_id.get(reference) or next((m for m in self.modules if m.folder == reference), None)

    @property
    def passport_rule(self) -> PassportRule:
        rule = self.course["passport"]
        return PassportRule(int(rule["min_modules"]), float(rule["pass_mark"]))

    @cached_property
    def questions_per_attempt(self) -> int:
        return int(self.course["quiz"]["questions_per_attempt"])

    def section(self, module: Module, section_id: str, locale: str) -> Section | None:
        """A lesson section in ``locale`` (French when that language is missing)."""
        if not any(s["id"] == section_id for s in module.sections):
            return None
        return self._section(module.folder, section_id, locale if locale in LANGUAGES else "fr")

    def sections(self, module: Module, locale: str) -> list[Section]:
        return [self._section(module.folder, s["id"], locale if locale in LANGUAGES else "fr") for s in module.sections]

    @lru_cache(maxsize=512)  # noqa: B019 - one catalogue per process: the cache lives exactly as long
    def _section(self, folder: str, section_id: str, locale: str) -> Section:
        module = next(m for m in self.modules if m.folder == folder)
        entry = next(s for s in module.sections if s["id"] == section_id)
        text = (self.root / "modules" / folder / locale / entry["file"]).read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        return Section(id=section_id, file=entry["file"], title=title.lstrip("# ").strip(), markdown=body)

    @lru_cache(maxsize=64)  # noqa: B019 - as above
    def quiz(self, folder: str, locale: str) -> dict[str, dict]:
        """The module's question bank in ``locale``, by question id (ids are shared by both languages)."""
        path = self.root / "modules" / folder / f"quiz.{locale if locale in LANGUAGES else 'fr'}.yaml"
        questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
        return {q["id"]: q for q in questions}

    def _load_module(self, folder: str) -> Module:
        meta = yaml.safe_load((self.root / "modules" / folder / "module.yaml").read_text(encoding="utf-8"))
        return Module(
            id=meta["id"],
            folder=folder,
            order=int(meta["order"]),
            title=meta["title"],
            summary=meta["summary"],
            objectives=meta.get("objectives", []),
            estimated_minutes=int(meta.get("estimated_minutes", 120)),
            programme_2006=bool(meta.get("programme_2006", False)),
            competences=meta.get("competences", {}),
            sections=meta.get("sections", []),
        )
