"""Badge endpoints: public documents, downloads, verification page and API, the learner's passport page."""
from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from openbadgeslib import baking
from sqlalchemy import select

from .. import database
from ..domain.offers import Holder, siren_is_valid
from ..domain.roles import Role
from ..models import Award
from ..visit import check_csrf, current_visit
from . import images, ob2
from .certificate import CertificateData, PassedModule as CertificateModule, render_certificate
from .service import Consent
from .verification import MAX_UPLOAD, Unreadable, Verdict, read_credential, uid_in

bp = Blueprint("badges", __name__)
AWARDS = Award.__table__


def _badges():
    return current_app.extensions["passeport.badges"]


def _award_or_404(connection, uid: str):
    award = _badges().award(connection, uid)
    if award is None or award.credential is None:
        abort(404, description=_("Aucun passeport ou badge n'a cet identifiant."))
    return award


def _module(award):
    return current_app.extensions["passeport.catalogue"].get(award.module_id) if award.module_id else None


# -- issuer identity and public documents

@bp.get("/.well-known/did.json")
def did_document():
    with database(current_app).read() as connection:
        return _badges().keys.did_document(connection)


@bp.get("/credentials/<uid>")
def credential(uid: str):
    with database(current_app).read() as connection:
        award = _award_or_404(connection, uid)
    return Response(json.dumps(award.credential, ensure_ascii=False), mimetype="application/ld+json")


@bp.get("/credentials/<uid>.jwt")
def credential_jwt(uid: str):
    with database(current_app).read() as connection:
        award = _award_or_404(connection, uid)
    return Response(award.credential_jwt, mimetype="application/vc+jwt")


@bp.get("/credentials/<uid>.<any(png, svg):kind>")
def baked(uid: str, kind: str):
    """The badge image with the signed OB 3.0 credential inside (keyword openbadgecredential)."""
    with database(current_app).read() as connection:
        award = _award_or_404(connection, uid)
    module = _module(award)
    text = json.dumps(award.credential, sort_keys=True, ensure_ascii=True)
    if kind == "png":
        data = baking.bake_png(images.png(module.order if module else None), text, keyword=baking.ITXT_KEYWORD_OB3)
        return Response(data, mimetype="image/png", headers=_attachment(f"passeport-{uid}.png"))
    data = baking.bake_svg(images.svg(module.order if module else None, _title(module)), text,
                           element=baking.SVG_ELEMENT_OB3, namespace=baking.SVG_NS_OB3, as_text=True)
    return Response(data, mimetype="image/svg+xml", headers=_attachment(f"passeport-{uid}.svg"))


@bp.get("/credentials/<uid>/ob2.<any(png, svg):kind>")
def baked_ob2(uid: str, kind: str):
    """For backpacks that only know Open Badges 2.0: the hosted assertion's URL, baked
    (PNG keyword ``openbadges``, SVG element ``openbadges:assertion``)."""
    with database(current_app).read() as connection:
        award = _award_or_404(connection, uid)
    module = _module(award)
    order = module.order if module else None
    if kind == "png":
        data = baking.bake_png(images.png(order), ob2.assertion_url(uid))
        return Response(data, mimetype="image/png", headers=_attachment(f"passeport-{uid}-ob2.png"))
    data = baking.bake_svg(images.svg(order, _title(module)), ob2.assertion_url(uid))
    return Response(data, mimetype="image/svg+xml", headers=_attachment(f"passeport-{uid}-ob2.svg"))


@bp.get("/credentials/<uid>/certificate.pdf")
def certificate(uid: str):
    with database(current_app).read() as connection:
        award = _award_or_404(connection, uid)
        passed = _badges().passed_modules(connection, award.user_id)
    factory = _badges().factory
    pdf = render_certificate(CertificateData(
        credential_id=factory.credential_url(uid), verify_url=factory.verify_url(uid),
        issued_on=award.awarded_at.date(),
        modules=tuple(CertificateModule(p.module.title["fr"], p.module.title["en"], p.score, p.passed_on)
                      for p in passed if award.kind == "passport" or p.module.id == award.module_id),
        holder_name=award.holder_name, company_name=award.company_name, company_siren=award.company_siren,
        revoked=award.revoked_at is not None))
    return Response(pdf, mimetype="application/pdf", headers=_attachment(f"passeport-{uid}.pdf"))


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _achievement_module(achievement_id: str):
    """The module an achievement id names; None for the passport; 404 for anything else."""
    if achievement_id == "passport":
        return None
    module = current_app.extensions["passeport.catalogue"].get(achievement_id)
    if module is None:
        abort(404, description=_("Ce badge n'existe pas."))
    return module


def _title(module) -> str:
    return module.title["fr"] if module else "Passeport pour l'économie numérique"


@bp.get("/badges/achievements/<achievement_id>")
def achievement(achievement_id: str):
    return _badges().factory.achievement(_achievement_module(achievement_id)).to_dict()


@bp.get("/badges/images/<achievement_id>.<any(png, svg):kind>")
def image(achievement_id: str, kind: str):
    module = _achievement_module(achievement_id)
    order = module.order if module else None
    if kind == "png":
        return Response(images.png(order), mimetype="image/png")
    return Response(images.svg(order, _title(module)), mimetype="image/svg+xml")


@bp.get("/badges/status/revocation")
def status_list():
    with database(current_app).read() as connection:
        token = _badges().factory.status_list(connection, _badges().revoked_indices(connection))
    return Response(token, mimetype="application/vc+jwt", headers={"Cache-Control": "no-store"})


# -- Open Badges 2.0 hosted verification

@bp.get("/ob2/issuer")
def ob2_issuer():
    return ob2.issuer()


@bp.get("/ob2/badges/<achievement_id>")
def ob2_badge_class(achievement_id: str):
    return ob2.badge_class(_badges().factory.achievement(_achievement_module(achievement_id)), achievement_id)


@bp.get("/ob2/assertions/<uid>")
def ob2_assertion(uid: str):
    with database(current_app).read() as connection:
        award = _award_or_404(connection, uid)
    if award.revoked_at:
        return ob2.revoked(uid, award.revocation_reason), 410
    return ob2.assertion(award, _module(award))


# -- verification for employers and partners

@bp.get("/verify")
def verify_form():
    return render_template("badges/verify.html", page_lang="fr")


@bp.post("/verify")
def verify_submitted():
    if (request.content_length or 0) > MAX_UPLOAD + 64 * 1024:
        abort(413, description="Fichier trop volumineux : 2 Mo au plus. / File too large: 2 MB at most.")
    upload = request.files.get("file")
    pasted = (request.form.get("reference") or "").strip()
    try:
        if upload and upload.filename:
            verdict = _verify(read_credential(upload.read(4 * 1024 * 1024)))
        elif uid_in(pasted):
            return redirect(url_for("badges.verify_page", uid=uid_in(pasted)), 303)
        elif pasted:
            verdict = _verify(read_credential(pasted))
        else:
            abort(400, description="Collez un lien ou un identifiant, ou déposez un fichier. / "
                                   "Paste a link or an id, or upload a file.")
    except Unreadable as error:
        abort(400, description=f"Ce fichier ou ce texte ne contient pas de badge lisible ({error}). / "
                               f"No readable badge here ({error}).")
    return _verdict_page(verdict)


@bp.get("/verify/<uid>")
def verify_page(uid: str):
    with database(current_app).read() as connection:
        award = _award_or_404(connection, uid)
    return _verdict_page(_verify(award.credential))


def _verify(credential) -> Verdict:
    with database(current_app).read() as connection:
        return current_app.extensions["passeport.verifier"].verify(
            connection, credential, lambda uid: _badges().award(connection, uid))


def _verdict_page(verdict: Verdict):
    return render_template("badges/verdict.html", page_lang="fr", verdict=verdict,
                           summary=_summary(verdict), linkedin=_linkedin(verdict))


def _summary(verdict: Verdict) -> dict:
    document = verdict.credential or {}
    subject = document.get("credentialSubject") or {}
    achievement_ = subject.get("achievement") or {}
    names = [i.get("identityHash") for i in subject.get("identifier", []) if i.get("identityType") == "name"]
    evidence = document.get("evidence") or []
    return {
        "issuer": (document.get("issuer") or {}).get("name") if isinstance(document.get("issuer"), dict) else None,
        "achievement": achievement_.get("name"),
        "valid_from": (document.get("validFrom") or "")[:10],
        "holder": names[0] if names else None,
        "modules": [e for e in evidence if e.get("genre") == "Module"],
        "company": next((e.get("narrative") for e in evidence if e.get("genre") == "Company"), None),
    }


def _linkedin(verdict: Verdict) -> str | None:
    """LinkedIn's add-to-profile link, whose certificate URL is this verification page."""
    if not verdict.valid or not verdict.uid:
        return None
    document = verdict.credential
    issued = datetime.fromisoformat(document["validFrom"].replace("Z", "+00:00"))
    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": document.get("name", ""),
        "organizationName": "Passeport pour l'économie numérique", "issueYear": issued.year,
        "issueMonth": issued.month, "certUrl": _badges().factory.verify_url(verdict.uid),
        "certId": verdict.uid})


@bp.post("/api/verify")
def api_verify():
    """JSON in, JSON out (see /api/openapi.yaml); also answers whether the holder qualifies for an offer."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _api_error(400, "send a JSON object with one of: credential, jwt, url, id")
    try:
        verdict = _verify(_api_credential(body))
    except Unreadable as error:
        return _api_error(400, str(error))
    except LookupError as error:
        return _api_error(404, str(error))
    answer = {"verdict": verdict.status, "valid": verdict.valid, "credential_id": (verdict.credential or {}).get("id"),
              "summary": _summary(verdict), "details": verdict.details}
    if verdict.status == "revoked":
        answer["revocation"] = {"date": verdict.revoked_at.isoformat(), "reason": verdict.revocation_reason}
    if body.get("offer"):
        offer = _offer_answer(body["offer"], verdict)
        if offer is None:
            return _api_error(404, f"no offer {body['offer']!r}")
        answer["offer"] = offer
    return answer


def _api_credential(body: dict):
    if isinstance(body.get("credential"), dict):
        return body["credential"]
    if isinstance(body.get("jwt"), str):
        return read_credential(body["jwt"])
    reference = body.get("url") or body.get("id")
    if isinstance(reference, str):
        uid = uid_in(reference)
        with database(current_app).read() as connection:
            award = _badges().award(connection, uid) if uid else None
        if award is None or award.credential is None:
            raise LookupError(f"no credential of this Passeport at {reference!r}")
        return award.credential
    raise Unreadable("send one of: credential (object), jwt (string), url or id (string)")


def _offer_answer(offer_id: str, verdict: Verdict) -> dict | None:
    offers = current_app.extensions["passeport.offers"]
    if offers.get(offer_id) is None:
        return None
    holder = Holder(has_passport=False, modules_passed=frozenset())
    if verdict.valid:
        with database(current_app).read() as connection:
            award = _badges().award(connection, verdict.uid)
            held = _badges().awards_of(connection, award.user_id)
        live = [a for a in held if a.revoked_at is None]
        holder = Holder(has_passport=any(a.kind == "passport" for a in live),
                        modules_passed=frozenset(a.module_id for a in live if a.kind == "module"),
                        company_siren=award.company_siren, company_created_on=award.company_created_on)
    result = offers.eligibility(offer_id, holder, date.today())
    return {"id": offer_id, "eligible": result.eligible and verdict.valid, "unmet": list(result.unmet),
            "reasons": result.reasons}


def _api_error(status: int, message: str):
    return {"error": {"status": status, "message": message}}, status


@bp.get("/api/openapi.yaml")
def openapi():
    return current_app.send_static_file("openapi.yaml")


# -- the learner's passport

@bp.get("/passport")
def passport():
    visit = current_visit()
    catalogue = current_app.extensions["passeport.catalogue"]
    with database(current_app).read() as connection:
        awards = _badges().awards_of(connection, visit.user_id)
        passed = _badges().passed_modules(connection, visit.user_id)
    passport_award = next((a for a in awards if a.kind == "passport"), None)
    rule = catalogue.passport_rule
    holder = Holder(has_passport=passport_award is not None and passport_award.revoked_at is None,
                    modules_passed=frozenset(p.module.id for p in passed),
                    company_siren=passport_award.company_siren if passport_award else None,
                    company_created_on=passport_award.company_created_on if passport_award else None)
    offers = current_app.extensions["passeport.offers"]
    return render_template(
        "badges/passport.html", awards=awards, passed=passed, passport=passport_award, rule=rule,
        missing=max(0, rule.min_modules - len(passed)), catalogue=catalogue, factory=_badges().factory,
        offers=[(o, offers.eligibility(o["id"], holder, date.today())) for o in offers.offers])


@bp.post("/passport/publish")
def publish():
    visit = current_visit()
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
    with database(current_app).connect() as connection:
        award = connection.execute(select(AWARDS).where(AWARDS.c.user_id == visit.user_id,
                                                        AWARDS.c.kind == "passport")).first()
        if award is None:
            abort(409, description=_("Vous n'avez pas encore obtenu le passeport."))
        _badges().publish(connection, award.uid, consent)
    return redirect(url_for("badges.passport"), 303)


@bp.post("/trainer/awards/<uid>/revoke")
def revoke(uid: str):
    """A trainer revokes a credential earned in their course; an administrator, any credential."""
    visit = current_visit(Role.INSTRUCTOR, Role.ADMINISTRATOR)
    check_csrf()
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        abort(400, description=_("Indiquez le motif de la révocation."))
    with database(current_app).connect() as connection:
        award = _award_or_404(connection, uid)
        if visit.role is Role.INSTRUCTOR and award.context_id != visit.context_id:
            abort(403, description=_("Ce badge a été obtenu dans un autre cours."))
        if not _badges().revoke(connection, uid, reason):
            abort(409, description=_("Ce badge est déjà révoqué."))
    return redirect(url_for("dashboards.trainer_home"), 303)
