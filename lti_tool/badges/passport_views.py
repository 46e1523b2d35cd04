"""The learner's passport page: their credentials, downloads, offers, and what they choose to make public."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import services
from ..domain.offers import siren_is_valid
from ..models import Award
from ..web_session import check_csrf, launched_user
from .service import REASON_LABELS, Consent, holder

bp = Blueprint("passport", __name__)
AWARDS = Award.__table__


@bp.get("/passport")
def passport():
    user = launched_user()
    catalogue = services.catalogue()
    with services.database().read() as connection:
        awards = services.badges().awards_of(connection, user.user_id)
        passed = services.badges().passed_modules(connection, user.user_id)
    passport_award = next((a for a in awards if a.kind == "passport"), None)
    rule = catalogue.passport_rule
    held = holder(awards)
    offers = services.offers()
    return render_template(
        "badges/passport.html", revocation_reasons=REASON_LABELS,
        awards=awards, passed=passed, passport=passport_award, rule=rule,
        missing=max(0, rule.min_modules - len(passed)), catalogue=catalogue, factory=services.badges().factory,
        offers=[(o, offers.eligibility(o["id"], held, date.today())) for o in offers.offers])


@bp.post("/passport/publish")
def publish():
    user = launched_user()
    check_csrf()
    form = request.form
    siren = "".join((form.get("company_siren") or "").split())
    if siren and not siren_is_valid(siren):
        abort(400, description=_("Le numéro SIREN %(siren)s n'est pas valide (9 chiffres, clé de contrôle).",
                                 siren=siren))
    created = form.get("company_created_on") or None
    try:
        created_on = date.fromisoformat(created) if created else None
    except ValueError:
        abort(400, description=_("La date de création doit être au format AAAA-MM-JJ."))
    email = (form.get("email") or "").strip()
    if email and "@" not in email:
        abort(400, description=_("L'adresse e-mail n'est pas valide."))
    consent = Consent(holder_name=form.get("holder_name") if form.get("show_name") else None, email=email or None,
                      company_name=form.get("company_name"), company_siren=siren or None,
                      company_created_on=created_on)
    with services.database().begin() as connection:
        award = connection.execute(select(AWARDS).where(AWARDS.c.user_id == user.user_id,
                                                        AWARDS.c.kind == "passport")).first()
        if award is None:
            abort(409, description=_("Vous n'avez pas encore obtenu le passeport."))
        services.badges().publish(connection, award.uid, consent, user.learner)
    return redirect(url_for("passport.passport"), 303)
