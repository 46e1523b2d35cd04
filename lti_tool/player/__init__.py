"""The learner's pages: catalogue, module, sections, quiz, results."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from xapi.sql import utcnow

from .. import services
from ..domain.attempts import AttemptRefused
from ..domain.catalogue import Module
from ..domain.learning import EventKind, LearningEvent, module_progress, progress_of
from ..domain.quiz import InvalidAnswer
from ..web_session import (
    LOCALES,
    LaunchedUser,
    check_csrf,
    launched_user,
    locale,
    same_origin_path,
)
from .render import lesson_html
from .resume import resume_url

bp = Blueprint("player", __name__)
PARIS = ZoneInfo("Europe/Paris")
__all__ = ["bp", "module_page", "resume_url"]


def _record(connection, user: LaunchedUser, kind: EventKind, module_id: str, **details) -> list[LearningEvent]:
    return services.learning().record(connection, LearningEvent(kind=kind, learner=user.learner, module_id=module_id,
                                                                 locale=user.locale, **details))


def _module_or_404(module_id: str):
    module = services.catalogue().resolve(module_id)
    if module is None:
        abort(404, description=_("Ce module n'existe pas."))
    return module


def _progress(connection, user: LaunchedUser, module_id: str) -> dict:
    return module_progress(connection, user.user_id, module_id)


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
    return module_page(found, progress, user.locale)


def module_page(found: Module, progress: dict, chosen_locale: str, address: str | None = None) -> str:
    """The module's page. A launch shows it in its own response (no redirect to follow) and gives its
    ``address``: the page's script puts it in the browser's history, so a reload asks for the page again
    instead of posting the spent id_token."""
    return render_template("player/module.html", module=found, progress=progress, open_attempt=progress["open_attempt"],
                           sections=services.catalogue().sections(found, chosen_locale), address=address)


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
    with services.database().read() as connection:
        progress = _progress(connection, user, found.id)
    sections = services.catalogue().sections(found, user.locale)
    return render_template("player/section.html", module=found, section=current, html=html, progress=progress,
                           position=position, sections=sections, min_seconds=SECTION_MIN_SECONDS,
                           previous=sections[position - 1] if position > 0 else None,
                           next=sections[position + 1] if position + 1 < len(sections) else None)


SECTION_MIN_SECONDS = 90  # the time after which the page reports a long section as read without a scroll to its end


@bp.post("/modules/<module_id>/sections/<section_id>/read")
def section_read(module_id: str, section_id: str):
    """The page reports that the learner reached the section's end (or stayed long enough): it counts as read,
    once. A ``next`` field (the no-script pager) redirects there; the script's call gets 204."""
    user = launched_user()
    check_csrf()
    found = _module_or_404(module_id)
    if not any(s["id"] == section_id for s in found.sections):
        abort(404, description=_("Cette section n'existe pas."))
    with services.database().begin() as connection:
        _record(connection, user, EventKind.SECTION_VIEWED, found.id, section_id=section_id)
    target = same_origin_path(request.form.get("next"), "")
    return redirect(target, 303) if target else ("", 204)


LEAVING = {"hidden": EventKind.MODULE_SUSPENDED, "left": EventKind.MODULE_TERMINATED}


@bp.post("/modules/<module_id>/leave")
def leave(module_id: str):
    """``navigator.sendBeacon`` from a module page being hidden (``state=hidden``) or left (``state=left``)."""
    user = launched_user()
    check_csrf()
    found = _module_or_404(module_id)
    kind = LEAVING.get(request.form.get("state", ""))
    if kind is None:
        abort(400, description=_("État inconnu : « hidden » ou « left » attendu."))
    with services.database().begin() as connection:
        _record(connection, user, kind, found.id)
    return "", 204


def _when(moment) -> str:
    """A moment as the learner reads it: Paris time, in their language."""
    return format_datetime(moment, "short", tzinfo=PARIS, locale=locale())


def _quiz_start(user: LaunchedUser, found, status: int = 200):
    with services.database().read() as connection:
        availability = services.attempts().availability(connection, user.user_id, found)
    return render_template("player/quiz_start.html", module=found, availability=availability,
                           count=min(services.catalogue().questions_per_attempt,
                                     len(services.catalogue().quiz(found.folder, user.locale))),
                           pass_mark=services.catalogue().passport_rule.pass_mark,
                           opens_at=availability.opens_at and _when(availability.opens_at)), status


@bp.get("/modules/<module_id>/quiz")
def quiz(module_id: str):
    """The attempt under way, or the start page (pass mark, number of questions, the course's limits)."""
    user = launched_user()
    found = _module_or_404(module_id)
    with services.database().read() as connection:
        attempt = services.attempts().open_attempt(connection, user.user_id, found.id)
    if attempt is None:
        return _quiz_start(user, found)
    return _quiz_form(user, found, attempt)


def _quiz_form(user: LaunchedUser, found, attempt, chosen: dict | None = None, unanswered: list | None = None):
    bank = services.catalogue().quiz(found.folder, user.locale)
    questions = [bank[q] for q in attempt.question_ids]
    numbers = {q: n for n, q in enumerate(attempt.question_ids, start=1)}
    return render_template("player/quiz.html", module=found, attempt=attempt, questions=questions,
                           chosen=chosen or {}, unanswered=[numbers[q] for q in unanswered or ()],
                           pass_mark=services.catalogue().passport_rule.pass_mark)


@bp.post("/modules/<module_id>/quiz/new")
def new_attempt(module_id: str):
    """Start an attempt (an unfinished one is resumed as is); refused while the course's limits say wait."""
    user = launched_user()
    check_csrf()
    found = _module_or_404(module_id)
    try:
        with services.database().begin() as connection:
            services.attempts().start(connection, user.user_id, found)
    except AttemptRefused as refused:
        page, status = _quiz_start(user, found, 429)
        wait = int((refused.opens_at - utcnow()).total_seconds()) + 1 if refused.opens_at else 60
        return page, status, {"Retry-After": str(max(wait, 1))}
    return redirect(url_for("player.quiz", module_id=found.id), 303)


REFUSALS = {
    "unknown": (404, lambda: _("Cette tentative n'existe pas.")),
    "not_yours": (403, lambda: _("Cette tentative appartient à une autre personne.")),
    "closed": (409, lambda: _("Cette tentative est déjà close : lancez une nouvelle tentative.")),
}


@bp.post("/modules/<module_id>/quiz/<row_id:attempt_id>")
def submit(module_id: str, attempt_id: int):
    """Grade the attempt; with unanswered questions, first ask (the form again, answers kept) unless confirmed."""
    user = launched_user()
    check_csrf()
    found = _module_or_404(module_id)
    answers = {key[len("answer-"):]: request.form.getlist(key) for key in request.form if key.startswith("answer-")}
    attempts = services.attempts()
    try:
        with services.database().begin() as connection:
            attempt = attempts.open_one(connection, user.learner, found, attempt_id)
            result = attempts.grade(found, attempt, answers)
            if result.unanswered and request.form.get("confirm") != "unanswered":
                return _quiz_form(user, found, attempt, answers, result.unanswered)
            attempts.submit(connection, user.learner, found, attempt, result, user.locale)
    except AttemptRefused as refused:
        status, message = REFUSALS[refused.reason]
        abort(status, description=message())
    except InvalidAnswer as error:
        abort(400, description=_("Réponse invalide : %(detail)s.", detail=str(error)))
    return redirect(url_for("player.quiz_result", module_id=found.id, attempt_id=attempt_id), 303)


@bp.get("/modules/<module_id>/quiz/<row_id:attempt_id>/result")
def quiz_result(module_id: str, attempt_id: int):
    """The score; the right choices only once the module is passed, before that what to reread and why."""
    user = launched_user()
    found = _module_or_404(module_id)
    try:
        with services.database().read() as connection:
            attempt, result = services.attempts().submitted(connection, user.user_id, found, attempt_id, user.locale)
            progress = _progress(connection, user, found.id)
            availability = services.attempts().availability(connection, user.user_id, found)
            passport = next((a for a in services.badges().awards_of(connection, user.user_id)
                             if a.kind == "passport"), None)
    except AttemptRefused:
        abort(404, description=_("Cette tentative n'existe pas."))
    if result is None:
        return redirect(url_for("player.quiz", module_id=found.id), 303)
    pass_mark = services.catalogue().passport_rule.pass_mark
    bank = services.catalogue().quiz(found.folder, user.locale)
    missed = [r for r in result.results if not r.correct]
    titles = {s.id: s.title for s in services.catalogue().sections(found, user.locale)}
    reread = list(dict.fromkeys(bank[r.question_id]["section"] for r in missed
                                if bank[r.question_id].get("section") in titles))
    return render_template("player/result.html", module=found, attempt=attempt, result=result, bank=bank,
                           passed=result.scaled >= pass_mark, progress=progress, pass_mark=pass_mark,
                           show_key=progress.get("passed_at") is not None, missed=missed,
                           reread=[(s, titles[s]) for s in reread], section_titles=titles,
                           opens_at=availability.opens_at and _when(availability.opens_at),
                           passport_earned_now=_earned_by(passport, attempt))


def _earned_by(passport, attempt) -> bool:
    """Did submitting this attempt earn the passport? (It is awarded in the submission's transaction.)"""
    return bool(passport and attempt.submitted_at and passport.revoked_at is None
                and attempt.started_at <= passport.awarded_at <= attempt.submitted_at)


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
    return redirect(same_origin_path(request.form.get("next"), url_for("player.catalogue")), 303)
