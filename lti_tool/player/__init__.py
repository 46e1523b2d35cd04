"""The learner's pages: catalogue, module, sections, quiz, results."""
from __future__ import annotations

from datetime import timezone

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from .. import database
from ..domain.learning import EventKind, LearningEvent, Status, progress_of
from ..domain.quiz import InvalidAnswer, draw, grade
from ..models import QuizAttempt, utcnow
from ..visit import LOCALES, check_csrf, current_visit
from .render import lesson_html

bp = Blueprint("player", __name__)
ATTEMPTS = QuizAttempt.__table__


def _catalogue():
    return current_app.extensions["passeport.catalogue"]


def _record(connection, visit, kind: EventKind, module_id: str, **details) -> list[LearningEvent]:
    return record_event(connection, kind, visit.user_id, visit.context_id, module_id, visit.locale, **details)


def record_event(connection, kind: EventKind, user_id: int, context_id: int | None, module_id: str, locale: str,
                 **details) -> list[LearningEvent]:
    """The player's single door to the domain's learning record."""
    event = LearningEvent(kind=kind, user_id=user_id, context_id=context_id, module_id=module_id, locale=locale,
                          **details)
    return current_app.extensions["passeport.learning"].record(connection, event)


def _module_or_404(module_id: str):
    module = _catalogue().resolve(module_id)
    if module is None:
        abort(404, description=_("Ce module n'existe pas."))
    return module


def _progress(connection, visit, module_id: str) -> dict:
    return progress_of(connection, visit.user_id).get(module_id) or {
        "status": Status.NOT_STARTED.value, "sections_viewed": [], "last_section_id": None,
        "best_score": None, "attempts": 0}


@bp.get("/modules/")
def catalogue():
    visit = current_visit()
    with database(current_app).read() as connection:
        progress = progress_of(connection, visit.user_id)
    return render_template("player/catalogue.html", modules=_catalogue().modules, progress=progress)


@bp.get("/modules/<module_id>")
def module(module_id: str):
    visit = current_visit()
    found = _module_or_404(module_id)
    with database(current_app).connect() as connection:
        _record(connection, visit, EventKind.MODULE_OPENED, found.id)
        progress = _progress(connection, visit, found.id)
        open_attempt = _open_attempt(connection, visit.user_id, found.id)
    return render_template("player/module.html", module=found, progress=progress, open_attempt=open_attempt,
                           sections=_catalogue().sections(found, visit.locale))


def resume_url(connection, user_id: int, module) -> str:
    """Where a returning learner left off: an unfinished quiz, else the last section viewed."""
    if _open_attempt(connection, user_id, module.id):
        return url_for("player.quiz", module_id=module.id)
    last = (progress_of(connection, user_id).get(module.id) or {}).get("last_section_id")
    if last:
        return url_for("player.section", module_id=module.id, section_id=last)
    return url_for("player.module", module_id=module.id)


@bp.get("/modules/<module_id>/sections/<section_id>")
def section(module_id: str, section_id: str):
    visit = current_visit()
    found = _module_or_404(module_id)
    current = _catalogue().section(found, section_id, visit.locale)
    if current is None:
        abort(404, description=_("Cette section n'existe pas."))
    ids = [s["id"] for s in found.sections]
    position = ids.index(section_id)
    by_file = {s["file"]: s["id"] for s in found.sections}
    html = lesson_html(current.markdown, lambda file: by_file.get(file) and url_for(
        "player.section", module_id=found.id, section_id=by_file[file]))
    with database(current_app).connect() as connection:
        _record(connection, visit, EventKind.SECTION_VIEWED, found.id, section_id=section_id)
        progress = _progress(connection, visit, found.id)
    sections = _catalogue().sections(found, visit.locale)
    return render_template("player/section.html", module=found, section=current, html=html, progress=progress,
                           position=position, sections=sections,
                           previous=sections[position - 1] if position > 0 else None,
                           next=sections[position + 1] if position + 1 < len(sections) else None)


def _open_attempt(connection, user_id: int, module_id: str):
    return connection.execute(
        select(ATTEMPTS).where(ATTEMPTS.c.user_id == user_id, ATTEMPTS.c.module_id == module_id,
                               ATTEMPTS.c.status == "open").order_by(ATTEMPTS.c.id.desc())
    ).first()


def _new_attempt(connection, user_id: int, module) -> int:
    bank = _catalogue().quiz(module.folder, "fr")
    question_ids = draw(bank, _catalogue().questions_per_attempt)
    return connection.execute(
        insert(ATTEMPTS).values(user_id=user_id, module_id=module.id, question_ids=question_ids, status="open",
                                started_at=utcnow()).returning(ATTEMPTS.c.id)
    ).scalar_one()


@bp.get("/modules/<module_id>/quiz")
def quiz(module_id: str):
    visit = current_visit()
    found = _module_or_404(module_id)
    with database(current_app).connect() as connection:
        attempt = _open_attempt(connection, visit.user_id, found.id)
        if attempt is None:
            _new_attempt(connection, visit.user_id, found)
            attempt = _open_attempt(connection, visit.user_id, found.id)
    bank = _catalogue().quiz(found.folder, visit.locale)
    questions = [bank[q] for q in attempt.question_ids]
    return render_template("player/quiz.html", module=found, attempt=attempt, questions=questions)


@bp.post("/modules/<module_id>/quiz/new")
def new_attempt(module_id: str):
    """Retry: close nothing, draw a fresh set (an unfinished attempt is kept as is)."""
    visit = current_visit()
    check_csrf()
    found = _module_or_404(module_id)
    with database(current_app).connect() as connection:
        if _open_attempt(connection, visit.user_id, found.id) is None:
            _new_attempt(connection, visit.user_id, found)
    return redirect(url_for("player.quiz", module_id=found.id), 303)


@bp.post("/modules/<module_id>/quiz/<int:attempt_id>")
def submit(module_id: str, attempt_id: int):
    visit = current_visit()
    check_csrf()
    found = _module_or_404(module_id)
    bank = _catalogue().quiz(found.folder, "fr")
    answers = {key[len("answer-"):]: request.form.getlist(key) for key in request.form if key.startswith("answer-")}
    with database(current_app).connect() as connection:
        attempt = connection.execute(select(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id).with_for_update()).first()
        _check_attempt(attempt, visit, found)
        try:
            result = grade(bank, attempt.question_ids, answers)
        except InvalidAnswer as error:
            abort(400, description=_("Réponse invalide : %(detail)s.", detail=str(error)))
        for r in result.results:
            _record(connection, visit, EventKind.QUESTION_ANSWERED, found.id, attempt_id=attempt_id,
                    question_id=r.question_id, response=r.chosen, correct=r.correct)
        started = attempt.started_at if attempt.started_at.tzinfo else attempt.started_at.replace(tzinfo=timezone.utc)
        _record(connection, visit, EventKind.QUIZ_SUBMITTED, found.id, attempt_id=attempt_id,
                score=result.scaled, raw=result.raw, maximum=result.maximum, duration=utcnow() - started)
        connection.execute(update(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id).values(
            status="submitted", answers={r.question_id: list(r.chosen) for r in result.results},
            score=result.scaled, submitted_at=utcnow()))
    return redirect(url_for("player.quiz_result", module_id=found.id, attempt_id=attempt_id), 303)


def _check_attempt(attempt, visit, module) -> None:
    if attempt is None or attempt.module_id != module.id:
        abort(404, description=_("Cette tentative n'existe pas."))
    if attempt.user_id != visit.user_id:
        abort(403, description=_("Cette tentative appartient à une autre personne."))
    if attempt.status != "open":
        abort(409, description=_("Cette tentative est déjà close : lancez une nouvelle tentative."))


@bp.get("/modules/<module_id>/quiz/<int:attempt_id>/result")
def quiz_result(module_id: str, attempt_id: int):
    visit = current_visit()
    found = _module_or_404(module_id)
    with database(current_app).read() as connection:
        attempt = connection.execute(select(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id)).first()
        progress = _progress(connection, visit, found.id)
    if attempt is None or attempt.module_id != found.id or attempt.user_id != visit.user_id:
        abort(404, description=_("Cette tentative n'existe pas."))
    if attempt.status != "submitted":
        return redirect(url_for("player.quiz", module_id=found.id), 303)
    bank = _catalogue().quiz(found.folder, visit.locale)
    result = grade(bank, attempt.question_ids, attempt.answers)
    passed = result.scaled >= _catalogue().passport_rule.pass_mark
    return render_template("player/result.html", module=found, attempt=attempt, result=result, bank=bank,
                           passed=passed, progress=progress, pass_mark=_catalogue().passport_rule.pass_mark)


@bp.post("/locale")
def choose_locale():
    """The visible language switch; the launch's locale is only the starting point."""
    current_visit()
    check_csrf()
    chosen = request.form.get("locale")
    if chosen not in LOCALES:
        abort(400, description="Unknown language. / Langue inconnue.")
    data = dict(session["passeport"])
    data["locale"] = chosen
    session["passeport"] = data
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("player.catalogue"), 303)
