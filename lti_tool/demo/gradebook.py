"""The demo LMS's LTI Advantage side: deep-linking return, line items and scores (AGS), the course's
members (NRPS), and a gradebook page showing what the tool sent."""
from __future__ import annotations

from datetime import datetime

import jwt
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from xapi.sql import utcnow

from .. import services
from ..db import upsert
from ..lti.storage import DatabaseLaunchDataStorage
from ..models import DemoActivity, DemoScore
from .accounts import CLIENT_ID, COURSE, DEPLOYMENT_ID, USERS, issuer
from .platform import demo_config

bp = Blueprint("gradebook", __name__)
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SCOPES = {"lineitem": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
          "score": "https://purl.imsglobal.org/spec/lti-ags/scope/score",
          "members": "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"}


def deep_link_data() -> str:
    """The opaque value the demo sends with a deep-linking request and expects back."""
    return f"course={COURSE['id']}"


def placed_activities() -> list[DemoActivity]:
    with services.database().sessions() as db:
        return list(db.scalars(select(DemoActivity).where(DemoActivity.placed).order_by(DemoActivity.id)))


def placed_activity(activity_id: int) -> DemoActivity | None:
    with services.database().sessions() as db:
        found = db.get(DemoActivity, activity_id)
    return found if found is not None and found.placed else None


def _problem(status: int, message: str):
    response = jsonify(error=message)
    response.status_code = status
    return response


def _platform():
    return demo_config()


@bp.post("/deep-linking/return")
def deep_link_return():
    """Validate the tool's LtiDeepLinkingResponse (signature, aud, nonce, data, items) and place the modules."""
    token = request.form.get("JWT", "")
    try:
        config = _platform()
        config.set_accepted_deeplinking_types(["ltiResourceLink"])
        items = config.validate_deeplinking_resp({"JWT": token})
        payload = jwt.decode(token, options={"verify_signature": False})
    except Exception as error:  # lti1p3platform and PyJWT refuse with assorted exception types
        abort(400, description=f"Réponse de deep linking refusée / Deep-linking response refused: {error}")
    problems = _response_problems(payload, items)
    if problems:
        abort(400, description="Réponse de deep linking refusée / Deep-linking response refused: "
                               + "; ".join(problems))
    try:
        with services.database().begin() as connection:
            DatabaseLaunchDataStorage(services.database()).put(connection, "demo-dl-nonce-" + payload["nonce"], True)
            for item in items:
                line_item = item.get("lineItem") or {}
                due = (item.get("submission") or {}).get("endDateTime")
                connection.execute(insert(DemoActivity).values(
                    module_id=item["custom"]["module"], label=line_item.get("label") or item.get("title") or "",
                    tag=line_item.get("tag"), score_maximum=line_item.get("scoreMaximum"),
                    due_at=datetime.fromisoformat(due) if due else None, placed=True, created_at=utcnow()))
    except IntegrityError:
        abort(400, description="Cette réponse a déjà été reçue (nonce rejoué). / This response was already received "
                               "(replayed nonce).")
    return redirect(url_for("demo.course") + "#activites", 303)


def _response_problems(payload: dict, items: list[dict]) -> list[str]:
    """What lti1p3platform does not check: who the response is for and from, its nonce, data and items."""
    problems = []
    if payload.get("aud") not in (issuer(current_app), [issuer(current_app)]):
        problems.append("aud is not the demo LMS")
    if payload.get("iss") != CLIENT_ID:
        problems.append("iss is not the tool's client id")
    if payload.get(CLAIM + "deployment_id") != DEPLOYMENT_ID:
        problems.append("unknown deployment_id")
    if not payload.get("nonce"):
        problems.append("no nonce")
    if payload.get(DL_CLAIM + "data") != deep_link_data():
        problems.append("the request's data was not returned")
    if not items:
        problems.append("no content item")
    for item in items:
        if not (item.get("custom") or {}).get("module") or not services.catalogue().get(item["custom"]["module"]):
            problems.append(f"content item without a known module: {item.get('title')!r}")
        due = (item.get("submission") or {}).get("endDateTime")
        try:
            if due:
                datetime.fromisoformat(due)
        except ValueError:
            problems.append(f"unreadable endDateTime {due!r}")
    return problems


def _authorise(scope: str) -> None:
    """The bearer token must come from the demo's token endpoint and grant ``scope``."""
    header = request.headers.get("Authorization", "")
    try:
        granted = header.startswith("Bearer ") and _platform().validate_token(header[7:], allowed_scopes=[scope])
    except Exception as error:  # an invalid or expired token: the library raises
        abort(_problem(401, f"invalid token: {error}"))
    if not granted:
        abort(_problem(401 if not header else 403, f"a bearer token with scope {scope} is required"))


def _line_item_json(activity: DemoActivity) -> dict:
    item = {"id": url_for("demo.gradebook.line_item", activity_id=activity.id, _external=False),
            "label": activity.label, "scoreMaximum": activity.score_maximum, "resourceId": activity.module_id}
    item["id"] = current_app.config["BASE_URL"] + item["id"]
    if activity.tag:
        item["tag"] = activity.tag
    if activity.placed:
        item["resourceLinkId"] = f"demo-activity-{activity.id}"
    return item


@bp.get("/lineitems")
def line_items():
    _authorise(SCOPES["lineitem"])
    query = select(DemoActivity).where(DemoActivity.score_maximum.is_not(None)).order_by(DemoActivity.id)
    if request.args.get("resource_id"):
        query = query.where(DemoActivity.module_id == request.args["resource_id"])
    if request.args.get("tag"):
        query = query.where(DemoActivity.tag == request.args["tag"])
    with services.database().sessions() as db:
        return jsonify([_line_item_json(a) for a in db.scalars(query)])


@bp.post("/lineitems")
def create_line_item():
    _authorise(SCOPES["lineitem"])
    item = request.get_json(silent=True)
    if not isinstance(item, dict) or not item.get("label") or not isinstance(item.get("scoreMaximum"), int | float):
        return _problem(400, "a line item needs a label and a numeric scoreMaximum")
    with services.database().session() as db:
        activity = DemoActivity(module_id=str(item.get("resourceId") or ""), label=str(item["label"])[:500],
                                tag=item.get("tag"), score_maximum=float(item["scoreMaximum"]), placed=False)
        db.add(activity)
        db.flush()
        created = _line_item_json(activity)
    return jsonify(created), 201


@bp.get("/lineitems/<row_id:activity_id>")
def line_item(activity_id: int):
    _authorise(SCOPES["lineitem"])
    with services.database().sessions() as db:
        activity = db.get(DemoActivity, activity_id)
        if activity is None or activity.score_maximum is None:
            return _problem(404, "no such line item")
        return jsonify(_line_item_json(activity))


@bp.post("/lineitems/<row_id:activity_id>/scores")
def scores(activity_id: int):
    _authorise(SCOPES["score"])
    score = request.get_json(silent=True)
    if not isinstance(score, dict) or not score.get("userId") or not score.get("timestamp"):
        return _problem(400, "a score needs a userId and a timestamp")
    if score["userId"] not in {u.sub for u in USERS.values()}:
        return _problem(422, f"user {score['userId']} is not enrolled in this course")
    with services.database().begin() as connection:
        if connection.execute(select(DemoActivity.id).where(DemoActivity.id == activity_id,
                                                            DemoActivity.score_maximum.is_not(None))).first() is None:
            return _problem(404, "no such line item")
        upsert(connection, DemoScore, {"activity_id": activity_id, "user_sub": str(score["userId"])},
               {"score_given": score.get("scoreGiven"), "score_maximum": score.get("scoreMaximum"),
                "activity_progress": str(score.get("activityProgress", "")),
                "grading_progress": str(score.get("gradingProgress", "")), "timestamp": str(score["timestamp"]),
                "received_at": utcnow()})
    return "", 204


@bp.get("/memberships")
def memberships():
    _authorise(SCOPES["members"])
    members = [{"user_id": u.sub, "name": u.name, "email": u.email, "status": "Active", "roles": list(u.roles)}
               for u in USERS.values()]
    return jsonify({"id": request.base_url, "context": {"id": COURSE["id"], "title": COURSE["title"]},
                    "members": members})


@bp.get("/gradebook")
def gradebook():
    """The course's gradebook: one column per line item, the scores the tool sent."""
    with services.database().sessions() as db:
        columns = list(db.scalars(select(DemoActivity).where(DemoActivity.score_maximum.is_not(None))
                                  .order_by(DemoActivity.id)))
        received = {(s.activity_id, s.user_sub): s for s in db.scalars(select(DemoScore))}
    learners = [u for u in USERS.values() if any(r.endswith("#Learner") for r in u.roles)]
    return render_template("demo/gradebook.html", course=COURSE, columns=columns, learners=learners,
                           scores=received)
