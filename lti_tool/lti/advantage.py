"""LTI Advantage state and jobs: service endpoints kept from launches, tokens shared in the database,
scores delivered through the generic outbox, rosters fetched and cached.

The protocols themselves are spoken by ``service_http``, ``ags`` and ``nrps``;
this module decides what to call and keeps what must outlive a request.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import requests
from sqlalchemy import delete, exists, select, update
from sqlalchemy.engine import Connection

from xapi.outbox import OUTBOX, Entry, Failure, Outcome, enqueue
from xapi.sql import utcnow

from ..db import Database, RecentlySeen, upsert
from ..domain.learning import EventKind, LearningEvent
from ..domain.roles import Role, classify
from ..models import CourseServices, GradeTarget, Membership, Platform, Progress, QuizAttempt, ServiceToken, User
from . import ags, nrps
from .errors import bad_request
from .service_http import Client, ServiceError, request_token
from .tool_keys import KeyRing

SCORE_DELIVERY = "lti.score"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
TOKEN_MARGIN = timedelta(seconds=30)  # a token this close to expiry is renewed rather than sent
ROSTER_MAX_AGE = timedelta(minutes=5)
PROGRESS_STEPS = {EventKind.MODULE_LAUNCHED: "started", EventKind.MODULE_OPENED: "started",
                  EventKind.SECTION_VIEWED: "in-progress"}  # the outbox item's last part: one post per step


def _claim(claims: dict, name: str) -> dict:
    value = claims.get(name)
    return value if isinstance(value, dict) else {}


def _service_url(value: object, column, name: str) -> str:
    """A service URL the launch announced; one longer than its column, or with a NUL character, is refused (400)
    before anything is kept."""
    url, limit = str(value), column.type.length
    if len(url) > limit:
        raise bad_request("service_url_too_long",
                          f"L'adresse de service « {name} » du jeton dépasse {limit} caractères.",
                          f"The token's service URL '{name}' is longer than {limit} characters.")
    if "\x00" in url:
        raise bad_request("service_url_with_nul",
                          f"L'adresse de service « {name} » du jeton contient un caractère nul.",
                          f"The token's service URL '{name}' contains a NUL character.")
    return url


class StoredTokens:
    """Access tokens per (platform, scope set), kept in the database until they expire: shared by workers.

    Each write is its own short transaction, so no lock is held while the platform is being called."""

    def __init__(self, database: Database, http: requests.Session, client: Client, platform_id: int,
                 timeout: float):
        self.database, self.http, self.client = database, http, client
        self.platform_id, self.timeout = platform_id, timeout

    def token(self, scopes: list[str]) -> str:
        key = " ".join(sorted(set(scopes)))
        with self.database.read() as connection:
            cached = connection.execute(select(ServiceToken.access_token).where(
                ServiceToken.platform_id == self.platform_id, ServiceToken.scopes == key,
                ServiceToken.expires_at > utcnow() + TOKEN_MARGIN)).scalar()
        if cached:
            return cached
        grant = request_token(self.http, self.client, sorted(set(scopes)), self.timeout)
        with self.database.begin() as connection:
            upsert(connection, ServiceToken, {"platform_id": self.platform_id, "scopes": key},
                   {"access_token": grant.access_token, "expires_at": utcnow() + timedelta(seconds=grant.expires_in)})
        return grant.access_token

    def forget(self, scopes: list[str]) -> None:
        with self.database.begin() as connection:
            connection.execute(delete(ServiceToken).where(ServiceToken.platform_id == self.platform_id,
                                                          ServiceToken.scopes == " ".join(sorted(set(scopes)))))


class Advantage:
    """The tool's side of AGS and NRPS, for one application."""

    def __init__(self, database: Database, key_ring: KeyRing, timeout: float):
        self.database, self.key_ring, self.timeout = database, key_ring, timeout
        self.http = requests.Session()
        self.seen = RecentlySeen()

    def remember_services(self, connection: Connection, platform_id: int, context_id: int | None,
                          resource_link_id: str | None, module_id: str | None, claims: dict) -> None:
        """Keep the AGS and NRPS endpoints a launch announced (in the launch's transaction): written once per
        course and placement while they do not change, not at every learner's launch."""
        endpoint = _claim(claims, AGS_CLAIM)
        names = _claim(claims, NRPS_CLAIM)
        if context_id and (endpoint or names):
            values = {"platform_id": platform_id, "ags_scopes": list(endpoint.get("scope") or [])}
            if endpoint.get("lineitems"):
                values["lineitems_url"] = _service_url(endpoint["lineitems"], CourseServices.lineitems_url, "lineitems")
            if names.get("context_memberships_url"):
                values["memberships_url"] = _service_url(
                    names["context_memberships_url"], CourseServices.memberships_url, "context_memberships_url")
            self.database.recent_writes.write(connection, CourseServices, {"context_id": context_id}, values)
        if ags.SCOPE_SCORE in (endpoint.get("scope") or []) and resource_link_id and module_id:
            values = {"context_id": context_id, "module_id": module_id}
            if endpoint.get("lineitem"):
                values["lineitem_url"] = _service_url(endpoint["lineitem"], GradeTarget.lineitem_url, "lineitem")
            placement = {"platform_id": platform_id, "resource_link_id": resource_link_id}
            self.database.recent_writes.write(connection, GradeTarget, placement, values,
                                              unchanged={"updated_at": utcnow()})
            self.seen.learn(connection, ("target", context_id, module_id), platform_id)

    def tokens(self, connection: Connection, platform_id: int) -> StoredTokens:
        client_id, token_url = connection.execute(select(Platform.client_id, Platform.auth_token_url)
                                                  .where(Platform.id == platform_id)).one()
        kid, private_key, _public = self.key_ring.active(self.database)
        return StoredTokens(self.database, self.http, Client(client_id, token_url, kid, private_key), platform_id,
                            self.timeout)

    # Grades -------------------------------------------------------------------------------------------------

    def on_events(self, connection: Connection, events: Sequence[LearningEvent]) -> None:
        """For the placement's line item, if it has one: a submitted quiz queues the learner's best score;
        opening the module and reading a section queue its progress, once each (the item ids repeat, and
        this process skips the ones it queued lately). One lookup and one insert per module of the batch."""
        wanted: dict[tuple[int, str], list[str]] = {}
        for event in events:
            learner = event.learner
            if event.kind is EventKind.QUIZ_SUBMITTED:
                step = str(event.attempt_id or event.occurred_at)
            elif event.kind in PROGRESS_STEPS:
                step = PROGRESS_STEPS[event.kind]
            else:
                continue
            item = f"{learner.context_id}:{learner.user_id}:{event.module_id}:{step}"
            items = wanted.setdefault((learner.context_id, event.module_id), []) if learner.context_id else []
            if item not in items and self.seen.get(("queued", item)) is None:
                items.append(item)
        for (context_id, module_id), items in wanted.items():
            if items:
                self._queue(connection, context_id, module_id, items)

    def _queue(self, connection: Connection, context_id: int, module_id: str, items: list[str]) -> None:
        platform_id = self.seen.get(("target", context_id, module_id)) or connection.execute(
            select(GradeTarget.platform_id).where(GradeTarget.context_id == context_id,
                                                  GradeTarget.module_id == module_id).limit(1)).scalar()
        if platform_id is None:
            return
        self.seen.learn(connection, ("target", context_id, module_id), platform_id)
        enqueue(connection, SCORE_DELIVERY, str(platform_id), items)
        for item in items:
            if item.rsplit(":", 1)[1] in PROGRESS_STEPS.values():
                self.seen.learn(connection, ("queued", item), True)

    def deliver_scores(self, connection: Connection, destination: str, entries: list[Entry]) -> Outcome:
        """The outbox consumer: each entry posts where the learner stands now, their best score once they have
        one (so the best one wins, and a late progress entry never hides it)."""
        outcome = Outcome()
        tokens = self.tokens(connection, int(destination))
        same_grade: dict[str, list[Entry]] = {}  # one post per learner × line item: it carries the best score
        for entry in entries:
            same_grade.setdefault(_grade_of(entry.item_id), []).append(entry)
        for grouped in same_grade.values():
            try:
                self._deliver_score(connection, tokens, grouped[-1].item_id)
            except ServiceError as error:
                outcome.failed.append(Failure(grouped, str(error), permanent=error.permanent))
                if not error.permanent:
                    break  # the platform is unwell: what follows waits for the retry
            else:
                outcome.delivered.extend(grouped)
        return outcome

    def _deliver_score(self, connection: Connection, tokens: StoredTokens, item_id: str) -> None:
        context_id, user_id, module_id, _step = item_id.split(":", 3)
        attempted = exists().where(QuizAttempt.user_id == Progress.user_id, QuizAttempt.module_id == module_id)
        best, read, tried, sub = connection.execute(
            select(Progress.best_score, Progress.sections_viewed, attempted, User.sub)
            .join(User, User.id == Progress.user_id)
            .where(Progress.user_id == int(user_id), Progress.module_id == module_id)).one()
        target = connection.execute(select(GradeTarget).where(
            GradeTarget.context_id == int(context_id), GradeTarget.module_id == module_id)
            .order_by(GradeTarget.updated_at.desc()).limit(1)).one()
        lineitem = target.lineitem_url or self._line_item(connection, tokens, target)
        if best is not None:
            payload = ags.score(sub, best, utcnow())
        else:
            payload = ags.progress(sub, "InProgress" if read or tried else "Started", utcnow())
        ags.post_score(self.http, tokens, lineitem, payload, self.timeout)

    def _line_item(self, connection: Connection, tokens: StoredTokens, target) -> str:
        """No line item in the launch: the one tagged with the module's id, else a new one (when allowed)."""
        course = connection.execute(select(CourseServices.lineitems_url, CourseServices.ags_scopes)
                                    .where(CourseServices.context_id == target.context_id)).first()
        if course is None or not course.lineitems_url:
            raise ServiceError("the platform announced no line items service for this course", permanent=True)
        url = ags.find_line_item(self.http, tokens, course.lineitems_url, course.ags_scopes, target.module_id,
                                 self.timeout)
        if url is None:
            if ags.SCOPE_LINEITEM not in course.ags_scopes:
                raise ServiceError("the platform has no line item for this module and does not let Passeport "
                                   "create one", permanent=True)
            url = ags.create_line_item(self.http, tokens, course.lineitems_url,
                                       ags.line_item(target.module_id, target.module_id, target.resource_link_id),
                                       self.timeout)
        with self.database.begin() as own:  # kept at once, whatever becomes of the score
            own.execute(update(GradeTarget).where(GradeTarget.id == target.id).values(lineitem_url=url))
        return url

    def grade_problems(self, context_id: int) -> list[GradeProblem]:
        """Scores of this course the platform refused (dead letters) or has not accepted yet (retrying);
        one line per learner and module, the latest (their entries are posted together)."""
        with self.database.read() as connection:
            found = connection.execute(
                select(OUTBOX.c.item_id, OUTBOX.c.status, OUTBOX.c.attempts, OUTBOX.c.last_error,
                       OUTBOX.c.next_attempt_at)
                .where(OUTBOX.c.kind == SCORE_DELIVERY, OUTBOX.c.item_id.startswith(f"{context_id}:"),
                       OUTBOX.c.last_error.is_not(None), OUTBOX.c.status.in_(("dead", "pending")))
                .order_by(OUTBOX.c.id)).all()
            rows = list({_grade_of(r.item_id): r for r in found}.values())
            names = dict(connection.execute(select(User.id, User.name).where(
                User.id.in_({int(r.item_id.split(":")[1]) for r in rows}))).all()) if rows else {}
        return [GradeProblem(names.get(int(r.item_id.split(":")[1])) or r.item_id.split(":")[1],
                             r.item_id.split(":")[2], r.status == "dead", r.attempts, r.last_error or "")
                for r in rows]

    # Rosters ------------------------------------------------------------------------------------------------

    def roster(self, context_id: int, rlid: str | None = None) -> Roster:
        """The course's members: the platform's list (cached a few minutes) when it offers NRPS,
        else the people who launched so far."""
        with self.database.read() as connection:  # a transaction only when the cache is refreshed
            course = connection.execute(select(CourseServices).where(CourseServices.context_id == context_id)).first()
            launched = _launched(connection, context_id)
        if course is None or not course.memberships_url:
            return Roster(list(launched.values()), from_platform=False)
        fresh = course.roster_fetched_at and course.roster_fetched_at > utcnow() - ROSTER_MAX_AGE
        listed: list | None = course.roster if fresh and rlid is None else None
        error: str | None = None
        if listed is None:
            with self.database.begin() as connection:
                try:
                    listed = nrps.members(self.http, self.tokens(connection, course.platform_id),
                                          course.memberships_url, self.timeout, rlid)
                except ServiceError as failure:
                    listed, error = course.roster, str(failure)
                else:
                    if rlid is None:
                        connection.execute(update(CourseServices).where(CourseServices.id == course.id)
                                           .values(roster=listed, roster_fetched_at=utcnow()))
        if listed is None:
            return Roster(list(launched.values()), from_platform=False, error=error)
        return Roster([_member(m, launched.get(str(m["user_id"]))) for m in listed], from_platform=True,
                      error=error)


@dataclass(frozen=True)
class GradeProblem:
    learner: str
    module_id: str
    refused: bool  # True: a dead letter (refused for good, or too many failures); False: still retrying
    attempts: int
    error: str


@dataclass(frozen=True)
class Member:
    sub: str
    name: str | None
    email: str | None
    role: Role
    status: str  # Active | Inactive | Deleted (NRPS); Active for people seen launching
    user_id: int | None  # None: never launched Passeport

    @property
    def launched(self) -> bool:
        return self.user_id is not None


@dataclass(frozen=True)
class Roster:
    members: list[Member]
    from_platform: bool  # False: only the people who launched so far (the platform offers no NRPS)
    error: str | None = None  # the membership service's last failure, when the cache or launches answer instead

    @property
    def learners(self) -> list[Member]:
        return [m for m in self.members if m.role is Role.LEARNER]


def _grade_of(item_id: str) -> str:
    """The grade an outbox item is about: ``context:user:module`` (the rest says which step queued it)."""
    return ":".join(item_id.split(":", 3)[:3])


def _launched(connection: Connection, context_id: int) -> dict[str, Member]:
    rows = connection.execute(select(User.id, User.sub, User.name, User.email, Membership.role)
                              .join(Membership, Membership.user_id == User.id)
                              .where(Membership.context_id == context_id).order_by(User.id))
    return {r.sub: Member(r.sub, r.name, r.email, Role(r.role), "Active", r.id) for r in rows}


def _member(listed: dict, seen: Member | None) -> Member:
    name = listed.get("name") or " ".join(filter(None, [listed.get("given_name"), listed.get("family_name")]))
    return Member(sub=str(listed["user_id"]), name=name or (seen.name if seen else None),
                  email=listed.get("email") or (seen.email if seen else None),
                  role=classify([str(r) for r in listed.get("roles") or []]),
                  status=str(listed.get("status") or "Active"),
                  user_id=seen.user_id if seen else None)

