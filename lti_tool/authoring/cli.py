"""``passeport content …``: check the course content, export its quizzes to Moodle GIFT."""
from __future__ import annotations

from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import AppGroup

from ..domain.catalogue import Catalogue, Module, content_root
from .content_check import check_content, french_word_count
from .gift import export_module

content_cli = AppGroup("content", help="The course content: validate it, export its quiz banks.")

root_option = click.option(
    "--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content folder (default: the app's CONTENT_ROOT, else the installed content).",
)


def _root(root: Path | None) -> Path:
    return root or Path(current_app.config.get("CONTENT_ROOT") or content_root())


@content_cli.command("check")
@root_option
def check(root: Path | None) -> None:
    """Validate the content.

    Prints every problem as path:where: message and exits 1; if there is none, a line per
    module (French words, questions) and "content OK".
    """
    root = _root(root)
    problems = check_content(root)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {root}", err=True)
        click.get_current_context().exit(1)
    for module in Catalogue(root).modules:
        folder = root / "modules" / module.folder
        click.echo(f"{module.folder}: {french_word_count(folder):,} French words, {_question_count(folder)} questions")
    click.echo("content OK")


@content_cli.command("export-gift")
@click.argument("module", required=False)
@click.option("--all", "all_modules", is_flag=True, help="Export every module.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("gift"), show_default=True,
              help="Folder for the .gift files.")
@root_option
def export_gift(module: str | None, all_modules: bool, out: Path, root: Path | None) -> None:
    """Export quiz banks as Moodle GIFT.

    MODULE is a folder (05-vendre-sur-internet) or an id (vendre-sur-internet); --all exports
    every module. Writes <folder>.fr.gift and <folder>.en.gift into --out.
    """
    catalogue = Catalogue(_root(root))
    if bool(module) == all_modules:
        raise click.UsageError("give either a MODULE or --all")
    for chosen in catalogue.modules if all_modules else [_module(catalogue, module)]:
        for path in export_module(catalogue.root / "modules" / chosen.folder, out):
            click.echo(str(path))


def _module(catalogue: Catalogue, reference: str) -> Module:
    found = catalogue.resolve(reference)
    if not found:
        valid = "\n  ".join(m.folder for m in catalogue.modules)
        raise click.UsageError(f"unknown module {reference!r}; valid modules (folder, or id without NN-):\n  {valid}")
    return found


def _question_count(module_dir: Path) -> int:
    return len(yaml.safe_load((module_dir / "quiz.fr.yaml").read_text(encoding="utf-8"))["questions"])
