"""The modules and the course rule, read from the files in ``content/``."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
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

    def resolve(self, reference: str | None) -> Module | None:
        """A module from its id (``vendre-sur-internet``) or its folder (``05-vendre-sur-internet``)."""
        if not reference:
            return None
        return self._by_id.get(reference) or next((m for m in self.modules if m.folder == reference), None)

    @property
    def passport_rule(self) -> PassportRule:
        rule = self.course["passport"]
        return PassportRule(int(rule["min_modules"]), float(rule["pass_mark"]))

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
