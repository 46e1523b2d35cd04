"""The trainer's dashboard for the course they launched from: grid, learner detail, course view, exports, preview.

Every page is scoped to the launch's course on the launch's platform: the
session names it, so a trainer never sees another course's learners.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from .. import services
from ..domain import course_report as report
from ..domain.quiz import InvalidAnswer, grade
from ..domain.roles import Role
from ..models import Context
from ..player.render import lesson_html
from ..web_session import LaunchedUser, check_csrf, launched_user
from .exports import SEPARATORS, to_csv, to_xlsx

bp = Blueprint("dashboards", __name__)


def _trainer() -> tuple[LaunchedUser, int]:
    """The instructor or course administrator, and their launch's course (403 without one)."""
    user = launched_user(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    if user.context_id is None:
        abort(403, description=_("Ce lancement ne précise pas de cours : ouvrez Passeport depuis un cours."))
    return user, user.context_id


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        abort(400, description=_("Le paramètre « %(name)s » doit être un nombre entier.", name=name))


def _grid_query(paginate: bool = True) -> report.GridQuery:
    try:
        return report.GridQuery(filter=request.args.get("filter", "all"), search=request.args.get("q", "")[:200],
                                sort=request.args.get("sort", "name"), descending=request.args.get("order") == "desc",
                                page=_int_arg("page", 1) if paginate else 1,
                                stuck_days=_int_arg("days", 14))
    except report.BadQuery as error:
        abort(400, description=_("Requête invalide : %(detail)s.", detail=str(error)))


def _course(connection, context_id: int):
    return connection.execute(select(Context.title, Context.context_id).where(Context.id == context_id)).one()


@bp.get("/trainer/")
def trainer_home():
    """Learners × modules: who progresses, who is stuck."""
    _user, context_id = _trainer()
    query = _grid_query()
    with services.database().read() as connection:
        course = _course(connection, context_id)
        grid = report.grid(connection, context_id, query)
    modules = services.catalogue().modules
    return render_template("trainer/grid.html", course=course, grid=grid, query=query, modules=modules,
                           rows=list(zip(grid.rows, _cells(grid, modules), strict=True)),
                           filters=report.FILTERS, sorts=report.SORTS, catalogue=services.catalogue(),
                           roster=services.advantage().roster(context_id),
                           grade_problems=services.advantage().grade_problems(context_id))


def _cells(grid: report.Grid, modules) -> list[Markup]:
    """Each row's cells as HTML, composed here with plain strings: a page has 450 of them, and the
    template's loop (three escaped values per cell) cost as much as the rest of the page."""
    opening = {status: f'<td class="cell cell-{status}">{escape(_(label))}' for status, label in STATUS_LABELS.items()}
    sections_word, attempts_word = _("sections"), _("tent.")
    not_started = f'{opening["not_started"]}</td>'
    rows = []
    for row in grid.rows:
        cells = []
        for module in modules:
            cell = row.cells.get(module.id)
            if cell is None or cell.status == "not_started":
                cells.append(not_started)
                continue
            details = []
            if cell.status in ("in_progress", "completed"):
                details.append(f"{cell.sections_read}/{len(module.sections)} {sections_word}")
            if cell.best_score is not None:
                details.append(f"{round(cell.best_score * 100)} % · {cell.attempts} {attempts_word}")
            details.append(f"{cell.time_spent_seconds // 60} min")
            cells.append(f'{opening[cell.status]}<span class="detail">{escape(" · ".join(details))}</span></td>')
        rows.append(Markup("\n    ".join(cells)))  # every value in it was escaped above
    return rows


@bp.get("/trainer/learners/<row_id:user_id>")
def learner(user_id: int):
    user, context_id = _trainer()
    with services.database().read() as connection:
        name = report.learner_name(connection, context_id, user_id)
        if name is None:
            abort(404, description=_("Cette personne n'est pas apprenante de ce cours."))
        modules = report.learner_detail(connection, services.catalogue(), user_id, user.locale)
        awards = report.learner_awards(connection, user_id)
    catalogue = services.catalogue()
    read = {d.module_id for d in modules if d.progress and d.progress["sections_viewed"]}
    titles = {m.id: {s.id: s.title for s in catalogue.sections(m, user.locale)}
              for m in catalogue.modules if m.id in read}
    return render_template("trainer/learner.html", name=name, modules=modules, awards=awards, catalogue=catalogue,
                           titles=titles)


@bp.get("/trainer/course")
def course_view():
    user, context_id = _trainer()
    module_id = request.args.get("module") or None
    if module_id and services.catalogue().get(module_id) is None:
        abort(404, description=_("Ce module n'existe pas."))
    with services.database().read() as connection:
        course = _course(connection, context_id)
        figures, distribution = report.course_figures(connection, services.catalogue(), context_id, module_id)
        missed = report.most_missed(connection, services.catalogue(), context_id, user.locale)
    return render_template("trainer/course.html", course=course, figures=figures, distribution=distribution,
                           missed=missed, module_id=module_id, catalogue=services.catalogue(),
                           peak=max(distribution) or 1)


STATUS_LABELS = {"not_started": "Pas commencé", "in_progress": "En cours", "completed": "Parcouru",
                 "passed": "Validé", "failed": "Non validé"}


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def _grid_table(context_id: int) -> tuple[list[str], list[list]]:
    query = _grid_query(paginate=False)
    with services.database().read() as connection:
        grid = report.grid(connection, context_id, query, paginate=False)
    header = [_("Apprenant"), _("Module"), _("Statut"), _("Sections lues"), _("Meilleur score (%)"),
              _("Tentatives"), _("Temps passé (min)"), _("Dernière activité (UTC)")]
    labels = {status: _(label) for status, label in STATUS_LABELS.items()}
    modules = services.catalogue().modules
    rows = []
    for row in grid.rows:
        for module in modules:
            cell = row.cells.get(module.id)
            if cell is None:
                rows.append([row.name, module.id, labels["not_started"], 0, "", 0, 0, ""])
                continue
            rows.append([row.name, module.id, labels[cell.status], cell.sections_read,
                         round(cell.best_score * 100) if cell.best_score is not None else "", cell.attempts,
                         round(cell.time_spent_seconds / 60),
                         _when(cell.last_activity_at) if cell.status != "not_started" else ""])
    return header, rows


def _attempts_table(context_id: int) -> tuple[list[str], list[list]]:
    with services.database().read() as connection:
        attempts = report.course_attempts(connection, context_id)
    header = [_("Apprenant"), _("Module"), _("Tentative"), _("Score (%)"), _("Commencée (UTC)"), _("Soumise (UTC)")]
    return header, [[a["name"], a["module_id"], a["id"], round((a["score"] or 0) * 100), _when(a["started_at"]),
                     _when(a["submitted_at"])] for a in attempts]


EXPORTS = {"grid": _grid_table, "attempts": _attempts_table}


@bp.get("/trainer/export/<any(grid, attempts):table>.<any(csv, xlsx):kind>")
def export(table: str, kind: str):
    """The grid (with the page's filters, every page) or the attempts, as CSV or XLSX."""
    _user, context_id = _trainer()
    separator = request.args.get("sep", "comma")
    if separator not in SEPARATORS:
        abort(400, description=_("Séparateur inconnu : choisissez « comma » ou « semicolon »."))
    header, rows = EXPORTS[table](context_id)
    filename = f"passeport-{table}.{kind}"
    if kind == "csv":
        body, mimetype = to_csv(header, rows, SEPARATORS[separator]), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(table, header, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _preview_module(module_id: str):
    _trainer()
    module = services.catalogue().resolve(module_id)
    if module is None:
        abort(404, description=_("Ce module n'existe pas."))
    return module


@bp.get("/trainer/preview/<module_id>")
def preview(module_id: str):
    """A module as a learner sees it; nothing is recorded (no event, no statement, no progress)."""
    module = _preview_module(module_id)
    locale = launched_user().locale
    return render_template("trainer/preview_module.html", module=module,
                           sections=services.catalogue().sections(module, locale))


@bp.get("/trainer/preview/<module_id>/sections/<section_id>")
def preview_section(module_id: str, section_id: str):
    module = _preview_module(module_id)
    locale = launched_user().locale
    current = services.catalogue().section(module, section_id, locale)
    if current is None:
        abort(404, description=_("Cette section n'existe pas."))
    by_file = {s["file"]: s["id"] for s in module.sections}
    html = lesson_html(current.markdown, lambda file: by_file.get(file) and url_for(
        "dashboards.preview_section", module_id=module.id, section_id=by_file[file]))
    sections = services.catalogue().sections(module, locale)
    position = [s.id for s in sections].index(section_id)
    return render_template("trainer/preview_section.html", module=module, section=current, html=html,
                           position=position, sections=sections,
                           previous=sections[position - 1] if position > 0 else None,
                           next=sections[position + 1] if position + 1 < len(sections) else None)


@bp.route("/trainer/preview/<module_id>/quiz", methods=["GET", "POST"])
def preview_quiz(module_id: str):
    """The whole question bank; answers sent are graded on the page and never stored."""
    module = _preview_module(module_id)
    bank = services.catalogue().quiz(module.folder, launched_user().locale)
    result = None
    if request.method == "POST":
        check_csrf()
        answers = {key[len("answer-"):]: request.form.getlist(key) for key in request.form
                   if key.startswith("answer-")}
        try:
            result = grade(bank, list(bank), answers)
        except InvalidAnswer as error:
            abort(400, description=_("Réponse invalide : %(detail)s.", detail=str(error)))
    return render_template("trainer/preview_quiz.html", module=module, questions=list(bank.values()),
                           result=result)
