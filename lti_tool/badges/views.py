"""Badge endpoints for everyone: the issuer's identity, credentials and their downloads, achievements,
the revocation list, and Open Badges 2.0 hosted documents."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _
from openbadgeslib import baking

from .. import services
from . import images, ob2
from .certificate import CertificateData, CertificateModule, render_certificate
from .credentials import signed_contents
from .service import REASON_LABELS

bp = Blueprint("badges", __name__)


def award_or_404(connection, uid: str):
    award = services.badges().award(connection, uid)
    if award is None or award.credential is None:
        abort(404, description=_("Aucun passeport ou badge n'a cet identifiant."))
    return award


def reason_label(code: str | None) -> str:
    """The public revocation reason, in both languages."""
    fr, en = REASON_LABELS.get(code or "", ("Révoqué", "Revoked"))
    return f"{fr} / {en}"


def _module(award):
    return services.catalogue().get(award.module_id) if award.module_id else None


# -- issuer identity and public documents

@bp.get("/.well-known/did.json")
def did_document():
    with services.database().read() as connection:
        return services.badges().keys.did_document(connection)


@bp.get("/credentials/<uid>")
def credential(uid: str):
    with services.database().read() as connection:
        award = award_or_404(connection, uid)
    return Response(json.dumps(award.credential, ensure_ascii=False), mimetype="application/ld+json")


@bp.get("/credentials/<uid>.jwt")
def credential_jwt(uid: str):
    with services.database().read() as connection:
        award = award_or_404(connection, uid)
    return Response(award.credential_jwt, mimetype="application/vc+jwt")


@bp.get("/credentials/<uid>.<any(png, svg):kind>")
def baked(uid: str, kind: str):
    """The badge image with the signed OB 3.0 credential inside (keyword openbadgecredential)."""
    with services.database().read() as connection:
        award = award_or_404(connection, uid)
    module = _module(award)
    text = json.dumps(award.credential, sort_keys=True, ensure_ascii=True)
    if kind == "png":
        data = baking.bake_png(images.png(module.order if module else None, _title(module)), text,
                               keyword=baking.ITXT_KEYWORD_OB3)
        return Response(data, mimetype="image/png", headers=_attachment(f"passeport-{uid}.png"))
    data = baking.bake_svg(images.svg(module.order if module else None, _title(module)), text,
                           element=baking.SVG_ELEMENT_OB3, namespace=baking.SVG_NS_OB3, as_text=True)
    return Response(data, mimetype="image/svg+xml", headers=_attachment(f"passeport-{uid}.svg"))


@bp.get("/credentials/<uid>/ob2.<any(png, svg):kind>")
def baked_ob2(uid: str, kind: str):
    """For backpacks that only know Open Badges 2.0: the hosted assertion's URL, baked
    (PNG keyword ``openbadges``, SVG element ``openbadges:assertion``)."""
    with services.database().read() as connection:
        award = award_or_404(connection, uid)
    module = _module(award)
    order = module.order if module else None
    if kind == "png":
        data = baking.bake_png(images.png(order, _title(module)), ob2.assertion_url(uid))
        return Response(data, mimetype="image/png", headers=_attachment(f"passeport-{uid}-ob2.png"))
    data = baking.bake_svg(images.svg(order, _title(module)), ob2.assertion_url(uid))
    return Response(data, mimetype="image/svg+xml", headers=_attachment(f"passeport-{uid}-ob2.svg"))


@bp.get("/credentials/<uid>/certificate.pdf")
def certificate(uid: str):
    """The printable certificate says exactly what the signed credential says, never today's progress."""
    with services.database().read() as connection:
        award = award_or_404(connection, uid)
    factory, catalogue = services.badges().factory, services.catalogue()
    signed = signed_contents(award.credential)
    pdf = render_certificate(CertificateData(
        credential_id=factory.credential_url(uid), verify_url=factory.verify_url(uid), issued_on=signed.issued_on,
        modules=tuple(CertificateModule(m.title_fr, _english_title(catalogue, m.title_fr), m.percent / 100,
                                        m.passed_on) for m in signed.modules),
        holder_name=signed.holder_name, company_name=signed.company_name, company_siren=signed.company_siren,
        revoked=award.revoked_at is not None))
    return Response(pdf, mimetype="application/pdf", headers=_attachment(f"passeport-{uid}.pdf"))


def _english_title(catalogue, title_fr: str) -> str:
    module = next((m for m in catalogue.modules if m.title["fr"] == title_fr), None)
    return module.title["en"] if module else title_fr


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _achievement_module(achievement_id: str):
    """The module an achievement id names; None for the passport; 404 for anything else."""
    if achievement_id == "passport":
        return None
    module = services.catalogue().get(achievement_id)
    if module is None:
        abort(404, description=_("Ce badge n'existe pas."))
    return module


def _title(module) -> str:
    return module.title["fr"] if module else "Passeport pour l'économie numérique"


@bp.get("/badges/achievements/<achievement_id>")
def achievement(achievement_id: str):
    return services.badges().factory.achievement(_achievement_module(achievement_id)).to_dict()


@bp.get("/badges/images/<achievement_id>.<any(png, svg):kind>")
def image(achievement_id: str, kind: str):
    module = _achievement_module(achievement_id)
    order = module.order if module else None
    if kind == "png":
        return Response(images.png(order, _title(module)), mimetype="image/png")
    return Response(images.svg(order, _title(module)), mimetype="image/svg+xml")


@bp.get("/badges/status/revocation")
def status_list():
    """The signed list as kept since the last status change: JSON-LD with a Data Integrity proof (what
    Digital Bazaar's verifiers load), or the VC-JWT for clients that ask for it."""
    with services.database().read() as connection:
        kept = services.badges().cached_status_list(connection)
    if kept is None:  # first request, or a list left to expire: sign once, then serve the kept copy
        with services.database().begin() as connection:
            kept = services.badges().sign_status_list(connection)
    headers = {"Cache-Control": "public, max-age=60", "Vary": "Accept"}
    if request.accept_mimetypes.best_match(["application/ld+json", "application/vc+jwt"]) == "application/vc+jwt":
        return Response(kept.token, mimetype="application/vc+jwt", headers=headers)
    return Response(json.dumps(kept.document), mimetype="application/vc+ld+json", headers=headers)


# -- Open Badges 2.0 hosted verification

@bp.get("/ob2/issuer")
def ob2_issuer():
    return ob2.issuer()


@bp.get("/ob2/badges/<achievement_id>")
def ob2_badge_class(achievement_id: str):
    return ob2.badge_class(services.badges().factory.achievement(_achievement_module(achievement_id)), achievement_id)


@bp.get("/ob2/assertions/<uid>")
def ob2_assertion(uid: str):
    with services.database().read() as connection:
        award = award_or_404(connection, uid)
    if award.revoked_at:
        return ob2.revoked(uid, reason_label(award.revocation_reason)), 410  # never the private note
    return ob2.assertion(award, _module(award))
