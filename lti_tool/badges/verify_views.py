"""Verification for employers and partners: the public page and the JSON API (with offer eligibility).

What is pasted or uploaded is judged as given; a link or an id is a separate, labelled lookup of what
this Passeport holds ("vérifier le passeport n° …"). Bad input gets a verdict page with a way back, or,
on the API, RFC 9457 problem details.
"""
from __future__ import annotations

import base64
import binascii
from datetime import date

from flask import Blueprint, Response, current_app, json, redirect, render_template, request, url_for

from .. import services
from . import ob2
from .linkedin import add_to_profile_url
from .service import REASON_LABELS, holder
from .verification import MAX_UPLOAD, Link, Unreadable, Verdict, is_ob2_assertion, read_credential, uid_in

bp = Blueprint("verify", __name__)
REQUEST_LIMIT = MAX_UPLOAD + 64 * 1024  # an upload plus the form around it


@bp.get("/verify")
def verify_form():
    with services.database().read() as connection:
        issuer = services.badges().issuer_profile(connection)
    return render_template("badges/verify.html", page_lang="fr", issuer=issuer)


@bp.post("/verify")
def verify_submitted():
    """Judge the pasted or uploaded content itself; a lone link or id is looked up instead."""
    if (request.content_length or 0) > REQUEST_LIMIT:
        return _unreadable_page(413, "Fichier trop volumineux : 2 Mo au plus.", "File too large: 2 MB at most.")
    upload = request.files.get("file")
    pasted = (request.form.get("reference") or "").strip()
    try:
        if upload and upload.filename:
            given = read_credential(upload.read(MAX_UPLOAD + 1))
        elif pasted:
            given = read_credential(pasted)
        else:
            return _unreadable_page(400, "Rien à vérifier : collez le contenu d'un badge ou déposez un fichier.",
                                    "Nothing to verify: paste a badge's content or upload a file.")
        if isinstance(given, Link):
            return _lookup(given.url)
        verdict = _judge(given)  # a credential whose fields have the wrong types is unreadable too
    except Unreadable as error:
        return _unreadable_page(400, "Ce fichier ou ce texte ne contient pas de badge lisible.",
                                "No readable badge here.", str(error))
    return _verdict_page(verdict)


@bp.get("/verify/lookup")
def verify_lookup():
    """The labelled lookup form: a passport number or link, answered by its verification page."""
    return _lookup((request.args.get("number") or "").strip())


def _lookup(reference: str):
    uid = uid_in(reference)
    if uid is None:
        return _unreadable_page(400, "Ce n'est ni un numéro de passeport ni un lien de vérification.",
                                "Neither a passport number nor a verification link.")
    if not _ours(reference) or "/ob2/assertions/" in reference:  # another site's link; a hosted OB 2.0 assertion
        verdict = _judge(Link(reference))
        return _verdict_page(verdict, lookup=uid, status=404 if verdict.status == "unknown" else 200)
    return redirect(url_for("verify.verify_page", uid=uid), 303)


@bp.get("/verify/<uid>")
def verify_page(uid: str):
    """Vérifier le passeport n° …: the credential as this Passeport keeps it."""
    verdict = _judge(Link(uid))
    return _verdict_page(verdict, lookup=uid, status=404 if verdict.status == "unknown" else 200)


def _judge(given) -> Verdict:
    """The one verdict on what was given: a credential, a token, an OB 2.0 assertion, or a link."""
    badges = services.badges()
    with services.database().read() as connection:
        awards = lambda uid: badges.award(connection, uid)  # noqa: E731
        if isinstance(given, Link):
            award = awards(uid_in(given.url)) if uid_in(given.url) and _ours(given.url) else None
            if award is None or award.credential is None:
                return Verdict("unknown", details=[f"no credential of this Passeport at {given.url!r}"])
            if "/ob2/assertions/" in given.url:
                return services.verifier().verify_hosted(None, award.uid, awards, _hosted)
            return services.verifier().verify(connection, award.credential, awards)
        if isinstance(given, dict) and is_ob2_assertion(given):
            reference = str(given.get("id", ""))
            return services.verifier().verify_hosted(given, uid_in(reference) if _ours(reference) else None,
                                                     awards, _hosted)
        return services.verifier().verify(connection, given, awards)


def _ours(reference: str) -> bool:
    return not reference.startswith(("http://", "https://")) or \
        reference.startswith(services.badges().factory.base_url + "/")


def _hosted(award) -> dict:
    module = services.catalogue().get(award.module_id) if award.module_id else None
    return ob2.assertion(award, module)


def _verdict_page(verdict: Verdict, lookup: str | None = None, status: int = 200):
    return render_template("badges/verdict.html", page_lang="fr", verdict=verdict, lookup=lookup,
                           summary=_summary(verdict), linkedin=_linkedin(verdict), reasons=REASON_LABELS), status


def _unreadable_page(status: int, message_fr: str, message_en: str, detail: str | None = None):
    return render_template("badges/unreadable.html", page_lang="fr", message_fr=message_fr,
                           message_en=message_en, detail=detail), status


def _summary(verdict: Verdict) -> dict:
    document = verdict.credential or {}
    subject = document.get("credentialSubject") or {}
    achievement_ = subject.get("achievement") or {}
    identifiers = [i for i in subject.get("identifier", []) if isinstance(i, dict)]
    names = [i.get("identityHash") for i in identifiers if i.get("identityType") == "name"]
    evidence = [e for e in document.get("evidence") or [] if isinstance(e, dict)]
    issuer: dict = document["issuer"] if isinstance(document.get("issuer"), dict) else {}
    image = achievement_.get("image")
    return {
        "issuer": issuer.get("name"), "issuer_url": issuer.get("url"), "issuer_email": issuer.get("email"),
        "achievement": achievement_.get("name"),
        "image": image.get("id") if isinstance(image, dict) else image,
        "valid_from": (document.get("validFrom") or "")[:10],
        "holder": names[0] if names else None,
        "holder_identified": bool(identifiers),
        "modules": [e for e in evidence if e.get("genre") == "Module"],
        "company": next((e.get("narrative") for e in evidence if e.get("genre") == "Company"), None),
        "training_centre": next((e.get("name") for e in evidence if e.get("genre") == "TrainingCentre"), None),
        "checked_at": verdict.checked_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
    }


def _linkedin(verdict: Verdict) -> str | None:
    """LinkedIn's add-to-profile link, whose certificate URL is this verification page."""
    if not verdict.valid or not verdict.uid or not verdict.credential:
        return None
    return add_to_profile_url(verdict.credential, services.badges().factory.verify_url(verdict.uid), verdict.uid)


@bp.post("/api/verify")
def api_verify():
    """JSON in, JSON out (see /api/openapi.yaml); also answers whether the holder qualifies for an offer.
    Errors are RFC 9457 problem details."""
    if (request.content_length or 0) > REQUEST_LIMIT:
        return _problem(413, "Request too large", "send at most 2 MB")
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return _problem(400, "Too deeply nested", "the JSON is nested too deeply")
    if not isinstance(body, dict):
        return _problem(400, "Not a JSON object", "send a JSON object with one of: credential, jwt, image, url, id")
    if "offer" in body and not isinstance(body["offer"], (str, type(None))):
        return _problem(400, "Wrong type", "offer is an offer id (a string)")
    try:
        verdict = _judge(_api_credential(body))
    except Unreadable as error:
        return _problem(422, "No readable credential", str(error))
    answer = {"verdict": verdict.status, "valid": verdict.valid, "credential_id": (verdict.credential or {}).get("id"),
              "checked_at": verdict.checked_at.isoformat(), "format": verdict.kind,
              "summary": _summary(verdict), "details": verdict.details}
    if verdict.status == "revoked" and verdict.revoked_at:
        fr, en = REASON_LABELS.get(verdict.revocation_reason or "", ("Révoqué", "Revoked"))
        answer["revocation"] = {"date": verdict.revoked_at.isoformat(), "reason": verdict.revocation_reason,
                                "reason_label": {"fr": fr, "en": en}}
    if body.get("offer"):
        offer = _offer_answer(str(body["offer"]), verdict)
        if offer is None:
            return _problem(404, "Unknown offer", f"no offer {body['offer']!r}")
        answer["offer"] = offer
    status = 404 if verdict.status == "unknown" and isinstance(_reference(body), str) else 200
    return answer, status


def _reference(body: dict):
    return body.get("url") or body.get("id")


API_INPUTS = {"credential": dict, "jwt": str, "image": str, "url": str, "id": str}


def _api_credential(body: dict):
    """The content given (judged as is), or a link or id (looked up): exactly one input, of its type."""
    given = [name for name in API_INPUTS if name in body]
    if len(given) != 1 or not isinstance(body[given[0]], API_INPUTS[given[0]]):
        raise Unreadable("send exactly one of: credential (object), jwt (string), image (base64), url or id (string)")
    if isinstance(body.get("credential"), dict):
        return body["credential"]
    if isinstance(body.get("jwt"), str):
        token = read_credential(body["jwt"])
        if not isinstance(token, str):
            raise Unreadable("jwt: not a compact VC-JWT")
        return token
    if isinstance(body.get("image"), str):
        try:
            return read_credential(base64.b64decode(body["image"], validate=True))
        except (binascii.Error, ValueError) as error:
            if isinstance(error, Unreadable):
                raise
            raise Unreadable("image: not base64") from error
    reference = _reference(body)
    if isinstance(reference, str) and reference.strip():
        return Link(reference.strip())
    raise Unreadable("send one of: credential (object), jwt (string), image (base64), url or id (string)")


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


def _problem(status: int, title: str, detail: str) -> Response:
    """RFC 9457 problem details."""
    return Response(json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}),
                    status=status, mimetype="application/problem+json")


@bp.get("/api/openapi.yaml")
def openapi():
    return current_app.send_static_file("openapi.yaml")
