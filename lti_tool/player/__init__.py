"""The learner's pages: catalogue, module, sections, quiz, results."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from .. import services
from ..domain.attempts import AttemptRefused
from ..domain.learning import EventKind, LearningEvent, Status, progress_of
from ..domain.quiz import InvalidAnswer
from ..web_session import LOCALES, LaunchedUser, check_csrf, launched_user
from .render import lesson_html
from .resume import resume_url

bp = Blueprint("player", __name__)
__all__ = ["bp", "resume_url"]


def _record(connection, user: LaunchedUser, kind: EventKind, module_id: str, **details) -> list[LearningEvent]:
    return services.learning().record(connection, LearningEvent(kind=kind, learner=user.learner, module_id=module_id,
                                                                 locale=user.locale, **details))


def _module_or_404(module_id: str):
    module = services.catalogue().resolve(module_id)
    if module is None:
        abort(404, description=_("Ce module n'existe pas."))
    return module


def _progress(connection, user: LaunchedUser, module_id: str) -> dict:
    return progress_of(connection, user.user_id).get(module_id) or {
        "status": Status.NOT_STARTED.value, "sections_viewed": [], "last_section_id": None,
        "best_score": None, "attempts": 0}


@bp.get("/modules/")
def catalogue():
    user = launched_user()
    with services.database().read() as connection:
        progress = progress_of(connection, user.user_id)
    return render_template("player/catalogue.html", modules=services.catalogue().modules, progress=progress)


@bp.get("/modules/<module_id>")
def module(module_id: str):
    user = launched_user()
    found = _module_or_404(module_id)
    with services.database().begin() as connection:
        _record(connection, user, EventKind.MODULE_OPENED, found.id)
        progress = _progress(connection, user, found.id)
        open_attempt = services.attempts().open_attempt(connection, user.user_id, found.id)
    return render_template("player/module.html", module=found, progress=progress, open_attempt=open_attempt,
                           sections=services.catalogue().sections(found, user.locale))


@bp.get("/modules/<module_id>/sections/<section_id>")
def section(module_id: str, section_id: str):
    user = launched_user()
    found = _module_or_404(module_id)
    current = services.catalogue().section(found, section_id, user.locale)
    if current is None:
        abort(404, description=_("Cette section n'existe pas."))
    ids = [s["id"] for s in found.sections]
    position = ids.index(section_id)
    by_file = {s["file"]: s["id"] for s in found.sections}
    html = lesson_html(current.markdown, lambda file: by_file.get(file) and url_for(
        "player.section", module_id=found.id, section_id=by_file[file]))
    with services.database().begin() as connection:
        _record(connection, user, EventKind.SECTION_VIEWED, found.id, section_id=section_id)
        progress = _progress(connection, user, found.id)
    sections = services.catalogue().sections(found, user.locale)
    return render_template("player/section.html", module=found, section=current, html=html, progress=progress,
                           position=position, sections=sections,
                           previous=sections[position - 1] if position > 0 else None,
                           next=sections[position + 1] if position + 1 < len(sections) else None)


@bp.get("/modules/<module_id>/quiz")
def quiz(module_id: str):
    user = launched_user()
    found = _module_or_404(module_id)
    with services.database().begin() as connection:
        attempt = services.attempts().current(connection, user.user_id, found)
    bank = services.catalogue().quiz(found.folder, user.locale)
    questions = [bank[q] for q in attempt.question_ids]
    return render_template("player/quiz.html", module=found, attempt=attempt, questions=questions)


@bp.post("/modules/<module_id>/quiz/new")
def new_attempt(module_id: str):
    """Retry: close nothing, draw a fresh set (an unfinished attempt is kept as is)."""
    user = launched_user()
    check_csrf()
    found = _module_or_404(module_id)
    with services.database().begin() as connection:
        services.attempts().current(connection, user.user_id, found)
    return redirect(url_for("player.quiz", module_id=found.id), 303)


REFUSALS = {
    "unknown": (404, lambda: _("Cette tentative n'existe pas.")),
    "not_yours": (403, lambda: _("Cette tentative appartient à une autre personne.")),
    "closed": (409, lambda: _("Cette tentative est déjà close : lancez une nouvelle tentative.")),
}


@bp.post("/modules/<module_id>/quiz/<int:attempt_id>")
def submit(module_id: str, attempt_id: int):
    user = launched_user()
    check_csrf()
    found = _module_or_404(module_id)
    answers = {key[len("answer-"):]: request.form.getlist(key) for key in request.form if key.startswith("answer-")}
    try:
        with services.database().begin() as connection:
            services.attempts().submit(connection, user.learner, found, attempt_id, answers, user.locale)
    except AttemptRefused as refused:
        status, message = REFUSALS[refused.reason]
        abort(status, description=message())
    except InvalidAnswer as error:
        abort(400, description=_("Réponse invalide : %(detail)s.", detail=str(error)))
    return redirect(url_for("player.quiz_result", module_id=found.id, attempt_id=attempt_id), 303)


@bp.get("/modules/<module_id>/quiz/<int:attempt_id>/result")
def quiz_result(module_id: str, attempt_id: int):
    user = launched_user()
    found = _module_or_404(module_id)
    try:
        with services.database().read() as connection:
            attempt, result = services.attempts().submitted(connection, user.user_id, found, attempt_id, user.locale)
            progress = _progress(connection, user, found.id)
    except AttemptRefused:
        abort(404, description=_("Cette tentative n'existe pas."))
    if result is None:
        return redirect(url_for("player.quiz", module_id=found.id), 303)
    pass_mark = services.catalogue().passport_rule.pass_mark
    return render_template("player/result.html", module=found, attempt=attempt, result=result,
                           bank=services.catalogue().quiz(found.folder, user.locale),
                           passed=result.scaled >= pass_mark, progress=progress, pass_mark=pass_mark)


@bp.post("/locale")
def choose_locale():
    """The visible language switch; the launch's locale is only the starting point."""
    launched_user()
    check_csrf()
    chosen = request.form.get("locale")
    if chosen not in LOCALES:
        abort(400, description="Unknown language. / Langue inconnue.")
    data = dict(session["passeport"])
    data["locale"] = chosen
    session["passeport"] = data
    target = request.form.get("next", "")
    same_site = target.startswith("/") and not target.startswith("//")
    return redirect(target if same_site else url_for("player.catalogue"), 303)
