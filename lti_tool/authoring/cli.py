"""``passeport content …``: check the course content, export its quizzes to Moodle GIFT."""
from __future__ import annotations

from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import AppGroup

from ..domain.catalogue import LANGUAGES, Catalogue, Module, content_root
from .content_check import Problem, check_content, external_links, french_word_count
from .gift import export_module
from .quiz_quality import bank_figures

content_cli = AppGroup("content", help="The course content: validate it, export its quiz banks.")

root_option = click.option(
    "--root", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content folder (default: the app's CONTENT_ROOT, else the installed content).",
)


def _root(root: Path | None) -> Path:
    return root or Path(current_app.config.get("CONTENT_ROOT") or content_root())


@content_cli.command("check")
@root_option
@click.option("--links", is_flag=True, help="Also list every external link, by module, with its domain's standing.")
def check(root: Path | None, links: bool) -> None:
    """Validate the content.

    Prints a line per module and language (words, questions, scenarios, the longest-is-right share and
    the best score of a no-knowledge guesser), then every problem as path:where: message; exits 1 on any
    problem (or, with --links, any link that is not https or points at a site's home page).
    """
    root = _root(root)
    for module in Catalogue(root).modules:
        folder = root / "modules" / module.folder
        for language in LANGUAGES:
            click.echo(f"{module.folder} [{language}]: {_figures(folder, language)}")
        click.echo(f"{module.folder}: {french_word_count(folder):,} French words")
    problems = check_content(root)
    if links:
        problems += _report_links(root)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {root}", err=True)
        click.get_current_context().exit(1)
    click.echo("content OK")


def _report_links(root: Path) -> list[Problem]:
    """Lists the links (network checks are impossible offline: form and domain only) and returns their defects."""
    found = external_links(root)
    for link in found:
        click.echo(f"{link.path}:{link.line}: {link.url} [{link.standing}]")
    click.echo(f"{len(found)} external links, {sum(link.official for link in found)} to official sources")
    return [link.problem() for link in found if link.defect]


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
    for chosen in catalogue.modules if all_modules else [_module(catalogue, module or "")]:
        for path in export_module(catalogue.root / "modules" / chosen.folder, out):
            click.echo(str(path))


def _module(catalogue: Catalogue, reference: str) -> Module:
    found = catalogue.resolve(reference)
    if not found:
        valid = "\n  ".join(m.folder for m in catalogue.modules)
        raise click.UsageError(f"unknown module {reference!r}; valid modules (folder, or id without NN-):\n  {valid}")
    return found


def _figures(module_dir: Path, language: str) -> str:
    path = module_dir / f"quiz.{language}.yaml"
    try:
        questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return "quiz bank unreadable (see the problems below)"
    return str(bank_figures(questions if isinstance(questions, list) else []))
