"""The learner's passport page: their progress, credentials, downloads, offers, and what they choose to make
public (prefilled from the launch, confirmed by the learner, errors shown beside the field)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from .. import services
from ..domain.offers import siren_is_valid
from ..models import Award, User
from ..web_session import LaunchedUser, check_csrf, launched_user
from . import images
from .linkedin import add_to_profile_url
from .service import REASON_LABELS, Consent, holder

bp = Blueprint("passport", __name__)
AWARDS = Award.__table__


@bp.get("/passport")
def passport():
    return _page(launched_user())


def _page(user: LaunchedUser, form: dict | None = None, errors: dict[str, str] | None = None, status: int = 200):
    catalogue, badges = services.catalogue(), services.badges()
    with services.database().read() as connection:
        awards = badges.awards_of(connection, user.user_id)
        passed = badges.passed_modules(connection, user.user_id)
        launch = connection.execute(select(User.name, User.email).where(User.id == user.user_id)).first()
    passport_award = next((a for a in awards if a.kind == "passport"), None)
    rule = catalogue.passport_rule
    earned = passport_award is not None and passport_award.revoked_at is None
    offers = services.offers()
    if form is None:  # prefilled from what was published, else from the launch; the learner confirms
        form = {"holder_name": (passport_award.holder_name if passport_award else None) or (launch and launch.name),
                "email": launch.email if launch else None,
                "company_name": passport_award.company_name if passport_award else None,
                "company_siren": passport_award.company_siren if passport_award else None,
                "company_created_on": passport_award.company_created_on if passport_award else None,
                "show_name": bool(passport_award and passport_award.holder_name)}
    return render_template(
        "badges/passport.html", revocation_reasons=REASON_LABELS, awards=awards, passed=passed,
        passport=passport_award, rule=rule, earned=earned,
        missing=max(0, rule.min_modules - len(passed)), catalogue=catalogue, factory=badges.factory,
        picture=Markup(images.progress_svg(len(passed), rule.min_modules, earned, _picture_text(
            len(passed), rule.min_modules, earned))),
        linkedin=_linkedin(passport_award) if earned else None,
        alt=lambda module: _badge_alt(module, user.locale),
        form=form, errors=errors or {},
        offers=[(o, offers.eligibility(o["id"], holder(awards), date.today())) for o in offers.offers]), status


def _badge_alt(module, locale: str) -> str:
    """The badge image's text alternative, in the page's language."""
    if module is None:
        return _("Badge du Passeport pour l'économie numérique")
    return _("Badge du module %(n)s du Passeport : %(title)s", n=module.order, title=module.text(module.title, locale))


def _linkedin(award) -> str | None:
    if award is None or award.credential is None:
        return None
    return add_to_profile_url(award.credential, services.badges().factory.verify_url(award.uid), award.uid)


def _picture_text(passed: int, needed: int, earned: bool) -> str:
    if earned:
        return _("Passeport obtenu : %(n)s modules validés.", n=passed)
    return _("Passeport : %(done)s module(s) validé(s) sur %(needed)s.", done=min(passed, needed), needed=needed)


@bp.post("/passport/publish")
def publish():
    user = launched_user()
    check_csrf()
    form = request.form
    errors: dict[str, str] = {}
    siren = "".join((form.get("company_siren") or "").split())
    if siren and not siren_is_valid(siren):
        errors["company_siren"] = _("Le numéro SIREN %(siren)s n'est pas valide (9 chiffres, clé de contrôle).",
                                    siren=siren)
    created = form.get("company_created_on") or None
    created_on = None
    try:
        created_on = date.fromisoformat(created) if created else None
    except ValueError:
        errors["company_created_on"] = _("La date de création doit être au format AAAA-MM-JJ.")
    email = (form.get("email") or "").strip()
    if email and "@" not in email:
        errors["email"] = _("L'adresse e-mail n'est pas valide.")
    for name, column in (("holder_name", Award.holder_name), ("company_name", Award.company_name)):
        limit = column.type.length
        if len(form.get(name) or "") > limit:
            errors[name] = _("Trop long : %(limit)s caractères au plus.", limit=limit)
    if errors:  # the form comes back as typed, each message beside its field
        return _page(user, form={**form.to_dict(), "show_name": bool(form.get("show_name"))}, errors=errors,
                     status=400)
    consent = Consent(holder_name=form.get("holder_name") if form.get("show_name") else None, email=email or None,
                      company_name=form.get("company_name"), company_siren=siren or None,
                      company_created_on=created_on)
    with services.database().begin() as connection:
        award = connection.execute(select(AWARDS).where(AWARDS.c.user_id == user.user_id,
                                                        AWARDS.c.kind == "passport")).first()
        if award is None:
            abort(409, description=_("Vous n'avez pas encore obtenu le passeport."))
        services.badges().publish(connection, award.uid, consent, user.learner)
    return redirect(url_for("passport.passport", published=1), 303)
