"""The statement store: a small backend interface over SQLAlchemy Core (SQLite or PostgreSQL)."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from .agents import agent_key
from .models import Activity, Attachment, Statement, StatementActivity, StatementAgent
from .sql import dialect_insert

STATEMENTS = Statement.__table__
ACTIVITIES = StatementActivity.__table__
AGENTS = StatementAgent.__table__
ACTIVITY_DEFINITIONS = Activity.__table__
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
MERGED_MAPS = ("name", "description", "extensions")
STORED_VERSION = "1.0.0"


class Conflict(Exception):
    """A statement id already stored with different content."""


def now_iso() -> str:
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    """ISO 8601 with an offset; more than microsecond precision is truncated."""
    text = value.replace("Z", "+00:00")
    if "." in text:
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{digits[:6]}{rest[len(digits):]}"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def equivalent(a: dict, b: dict) -> bool:
    """Same statement for conflict purposes: the LRS-set properties do not count."""
    ignored = ("stored", "authority", "version", "timestamp")
    strip = lambda s: json.dumps({k: v for k, v in s.items() if k not in ignored}, sort_keys=True)  # noqa: E731
    return strip(a) == strip(b)


@dataclass(frozen=True)
class StatementQuery:
    agent: str | None = None  # agent key
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    ascending: bool = False
    after: tuple[str, str] | None = None  # (stored ISO, id) of the last statement of the previous page


def prepare(statement: dict, authority: dict, stored: str) -> dict:
    """Set what the LRS owns: id when missing, stored, authority, version, timestamp when missing."""
    prepared = dict(statement)
    prepared.setdefault("id", str(uuid.uuid4()))
    prepared["id"] = prepared["id"].lower()
    prepared["stored"] = stored
    prepared.setdefault("timestamp", stored)
    prepared["authority"] = authority
    prepared.setdefault("version", STORED_VERSION)
    _context_activities_as_arrays(prepared)
    if prepared["object"].get("objectType") == "SubStatement":
        prepared["object"] = dict(prepared["object"])
        _context_activities_as_arrays(prepared["object"])
    return prepared


def _context_activities_as_arrays(statement: dict) -> None:
    """A single context activity may be sent as an object; it is stored (and returned) in an array (XAPI-00096)."""
    context = statement.get("context")
    if context and any(isinstance(v, dict) for v in (context.get("contextActivities") or {}).values()):
        statement["context"] = {**context, "contextActivities": {
            kind: [value] if isinstance(value, dict) else value
            for kind, value in context["contextActivities"].items()}}


def _mentions(statement: dict) -> Iterator[tuple[str, str, str]]:
    """(kind, key, role) for every activity and agent the statement names."""
    yield from _agent_mentions(statement.get("actor"), "actor")
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        yield "activity", target["id"], "object"
    elif kind in ("Agent", "Group"):
        yield from _agent_mentions(target, "object")
    elif kind == "SubStatement":
        for mention_kind, key, _role in _mentions(target):
            yield mention_kind, key, "related"
    context = statement.get("context") or {}
    for activities in (context.get("contextActivities") or {}).values():
        for activity in activities:  # arrays once prepared
            yield "activity", activity["id"], "related"
    for field in ("instructor", "team"):
        yield from _agent_mentions(context.get(field), "related")
    yield from _agent_mentions(statement.get("authority"), "related")


def _agent_mentions(agent: dict | None, role: str) -> Iterator[tuple[str, str, str]]:
    if not agent:
        return
    key = agent_key(agent)
    if key:
        yield "agent", key, role
    for member in agent.get("member", []):
        member_key = agent_key(member)
        if member_key:
            yield "agent", member_key, "related"


def index_rows(statements: list[dict]) -> tuple[list[dict], list[dict], list[dict], dict[str, dict]]:
    """The rows a batch of prepared statements becomes: statements, activity and agent index, definitions."""
    rows, activity_rows, agent_rows = [], [], []
    definitions: dict[str, dict] = {}
    for s in statements:
        target = s["object"]
        rows.append({
            "id": s["id"], "stored": parse_time(s["stored"]), "timestamp": parse_time(s["timestamp"]),
            "verb_id": s["verb"]["id"], "registration": (s.get("context") or {}).get("registration"),
            "object_statement_id": target["id"].lower() if target.get("objectType") == "StatementRef" else None,
            "voided": False, "is_voiding": s["verb"]["id"] == VOIDED, "authority_key": agent_key(s.get("authority")),
            "document": orjson.dumps(s).decode(),
        })
        for kind, key, role in set(_mentions(s)):
            if kind == "activity":
                activity_rows.append({"statement_id": s["id"], "activity_id": key, "role": role})
            else:
                agent_rows.append({"statement_id": s["id"], "agent_key": key, "role": role})
        if target.get("objectType", "Activity") == "Activity" and target.get("definition"):
            definitions[target["id"]] = merged_definition(definitions.get(target["id"]), target["definition"])
    return rows, activity_rows, agent_rows, definitions


def merged_definition(known: dict | None, new: dict) -> dict:
    """All an LRS was told about an activity (XAPI-00254): language maps and extensions gather every key
    (the newer value wins a key), other properties take the newer value."""
    merged = dict(known or {})
    for name, value in new.items():
        if name in MERGED_MAPS and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
    return merged


def _filters(q: StatementQuery) -> list:
    """The conditions on what a statement is about (agent, verb, activity, registration)."""
    filters = []
    if q.verb:
        filters.append(STATEMENTS.c.verb_id == q.verb)
    if q.registration:
        filters.append(STATEMENTS.c.registration == q.registration)
    if q.activity:
        roles = ["object", "related"] if q.related_activities else ["object"]
        filters.append(exists().where(ACTIVITIES.c.statement_id == STATEMENTS.c.id,
                                      ACTIVITIES.c.activity_id == q.activity, ACTIVITIES.c.role.in_(roles)))
    if q.agent:
        roles = ["actor", "object", "related"] if q.related_agents else ["actor", "object"]
        filters.append(exists().where(AGENTS.c.statement_id == STATEMENTS.c.id,
                                      AGENTS.c.agent_key == q.agent, AGENTS.c.role.in_(roles)))
    return filters


def _targets(filters: list):
    """Ids of the statements the filters match, voided ones included, and of every statement referring to one
    of them through StatementRefs, directly or along a chain: a statement targeting a match matches too
    (Communication 2.1.3 filter conditions for StatementRefs, XAPI-00162)."""
    matched = select(STATEMENTS.c.id).where(*filters).cte("matched", recursive=True)
    referring = STATEMENTS.alias("referring")
    matched = matched.union(select(referring.c.id).where(referring.c.object_statement_id == matched.c.id))
    return select(matched.c.id)


class SqlStatementStore:
    """Statements, their index rows and activity definitions, written in the caller's transaction."""

    def save(self, connection: Connection, statements: list[dict],
             attachments: dict[str, tuple[str, bytes]] | None = None) -> list[str]:
        """Store prepared statements; an id already stored with the same content is skipped.

        Raises Conflict when an id is stored with different content.
        """
        ids = [s["id"] for s in statements]
        existing = {row.id: orjson.loads(row.document) for row in connection.execute(
            select(STATEMENTS.c.id, STATEMENTS.c.document).where(STATEMENTS.c.id.in_(ids)))}
        fresh = []
        for statement in statements:
            if statement["id"] in existing:
                if not equivalent(existing[statement["id"]], statement):
                    raise Conflict(statement["id"])
                continue
            fresh.append(statement)
        self.insert_new(connection, fresh)
        if attachments:
            self._store_attachments(connection, attachments)
        return ids

    def insert_new(self, connection: Connection, statements: list[dict]) -> None:
        """Statements whose ids were just generated here: nothing stored can have them."""
        if statements:
            self._insert(connection, statements)

    def _insert(self, connection: Connection, statements: list[dict]) -> None:
        rows, activity_rows, agent_rows, definitions = index_rows(statements)
        connection.execute(insert(STATEMENTS), rows)
        if activity_rows:
            connection.execute(insert(ACTIVITIES), activity_rows)
        if agent_rows:
            connection.execute(insert(AGENTS), agent_rows)
        self._void(connection, [r["object_statement_id"] for r in rows if r["is_voiding"]])
        self._define(connection, definitions)

    def _void(self, connection: Connection, targets: list[str]) -> None:
        """A voiding statement voids its target, unless the target is itself a voiding statement."""
        if targets:
            connection.execute(update(STATEMENTS).where(STATEMENTS.c.id.in_(targets),
                                                        STATEMENTS.c.is_voiding.is_(False)).values(voided=True))

    def _define(self, connection: Connection, definitions: dict[str, dict]) -> None:
        """Merge the batch's definitions into the stored ones: one read and one upsert for the whole batch."""
        if not definitions:
            return
        known = connection.execute(select(ACTIVITY_DEFINITIONS.c.id, ACTIVITY_DEFINITIONS.c.definition)
                                   .where(ACTIVITY_DEFINITIONS.c.id.in_(definitions)))
        for activity_id, definition in known:
            definitions[activity_id] = merged_definition(definition, definitions[activity_id])
        statement = dialect_insert(connection, Activity.__table__)
        statement = statement.on_conflict_do_update(index_elements=["id"],
                                                    set_={"definition": statement.excluded.definition})
        connection.execute(statement, [{"id": k, "definition": v} for k, v in definitions.items()])

    def _store_attachments(self, connection: Connection, attachments: dict[str, tuple[str, bytes]]) -> None:
        for sha2, (content_type, content) in attachments.items():
            connection.execute(dialect_insert(connection, Attachment.__table__)
                               .values(sha2=sha2, content_type=content_type, content=content)
                               .on_conflict_do_nothing(index_elements=["sha2"]))

    def get(self, connection: Connection, statement_id: str, voided: bool = False) -> dict | None:
        row = connection.execute(select(STATEMENTS.c.document, STATEMENTS.c.voided)
                                 .where(STATEMENTS.c.id == statement_id.lower())).first()
        if row is None or row.voided != voided:
            return None
        return orjson.loads(row.document)

    def query(self, connection: Connection, q: StatementQuery) -> tuple[list[dict], tuple[str, str] | None]:
        """A page of matching statements (never voided ones), newest first unless ascending, and the next cursor."""
        conditions: list[ColumnElement[bool]] = [STATEMENTS.c.voided.is_(False)]
        filters = _filters(q)
        if filters:
            conditions.append(or_(and_(*filters), STATEMENTS.c.object_statement_id.in_(_targets(filters))))
        if q.since:
            conditions.append(STATEMENTS.c.stored > q.since)
        if q.until:
            conditions.append(STATEMENTS.c.stored <= q.until)
        order = (STATEMENTS.c.stored.asc(), STATEMENTS.c.id.asc()) if q.ascending else \
            (STATEMENTS.c.stored.desc(), STATEMENTS.c.id.desc())
        if q.after:
            stored, last_id = parse_time(q.after[0]), q.after[1]
            beyond = (STATEMENTS.c.stored > stored) if q.ascending else (STATEMENTS.c.stored < stored)
            same = and_(STATEMENTS.c.stored == stored,
                        STATEMENTS.c.id > last_id if q.ascending else STATEMENTS.c.id < last_id)
            conditions.append(or_(beyond, same))
        query = select(STATEMENTS.c.document, STATEMENTS.c.stored, STATEMENTS.c.id).where(*conditions).order_by(*order)
        if q.limit:
            query = query.limit(q.limit + 1)
        rows = connection.execute(query).all()
        more = None
        if q.limit and len(rows) > q.limit:
            rows = rows[:q.limit]
            more = (iso(rows[-1].stored),
                    rows[-1].id)
        return [orjson.loads(r.document) for r in rows], more

    def attachments_for(self, connection: Connection, statements: list[dict]) -> dict[str, tuple[str, bytes]]:
        wanted = {a["sha2"] for s in statements for a in s.get("attachments", []) if "sha2" in a}
        if not wanted:
            return {}
        rows = connection.execute(select(Attachment.__table__).where(Attachment.__table__.c.sha2.in_(wanted)))
        return {r.sha2: (r.content_type, r.content) for r in rows}

    def activity(self, connection: Connection, activity_id: str) -> dict | None:
        row = connection.execute(select(Activity.__table__).where(Activity.__table__.c.id == activity_id)).first()
        return {"objectType": "Activity", "id": row.id, **({"definition": row.definition} if row.definition else {})} \
            if row else None
