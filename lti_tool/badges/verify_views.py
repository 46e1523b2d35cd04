"""Verification for employers and partners: the public page and the JSON API (with offer eligibility)."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from .. import services
from .service import holder
from .verification import MAX_UPLOAD, Unreadable, Verdict, read_credential, uid_in
from .views import award_or_404

bp = Blueprint("verify", __name__)


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
            return redirect(url_for("verify.verify_page", uid=uid_in(pasted)), 303)
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
    with services.database().read() as connection:
        award = award_or_404(connection, uid)
    return _verdict_page(_verify(award.credential))


def _verify(credential) -> Verdict:
    with services.database().read() as connection:
        return services.verifier().verify(
            connection, credential, lambda uid: services.badges().award(connection, uid))


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
    document = verdict.credential
    if not verdict.valid or not verdict.uid or document is None:
        return None
    issued = datetime.fromisoformat(document["validFrom"].replace("Z", "+00:00"))
    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": document.get("name", ""),
        "organizationName": "Passeport pour l'économie numérique", "issueYear": issued.year,
        "issueMonth": issued.month, "certUrl": services.badges().factory.verify_url(verdict.uid),
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
    if verdict.status == "revoked" and verdict.revoked_at:
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
        with services.database().read() as connection:
            award = services.badges().award(connection, uid) if uid else None
        if award is None or award.credential is None:
            raise LookupError(f"no credential of this Passeport at {reference!r}")
        return award.credential
    raise Unreadable("send one of: credential (object), jwt (string), url or id (string)")


def _offer_answer(offer_id: str, verdict: Verdict) -> dict | None:
    offers = services.offers()
    if offers.get(offer_id) is None:
        return None
    held = []
    if verdict.valid and verdict.uid:
        with services.database().read() as connection:
            award = services.badges().award(connection, verdict.uid)
            held = services.badges().awards_of(connection, award.user_id)
    result = offers.eligibility(offer_id, holder(held), date.today())
    return {"id": offer_id, "eligible": result.eligible and verdict.valid, "unmet": list(result.unmet),
            "reasons": result.reasons}


def _api_error(status: int, message: str):
    return {"error": {"status": status, "message": message}}, status


@bp.get("/api/openapi.yaml")
def openapi():
    return current_app.send_static_file("openapi.yaml")
