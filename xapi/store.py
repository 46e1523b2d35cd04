"""The statement store: a small backend interface over SQLAlchemy Core (SQLite or PostgreSQL)."""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import orjson
from sqlalchemy import and_, bindparam, delete, exists, insert, or_, select, tuple_, union, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import BindParameter

from .agents import agent_key
from .models import Activity, Attachment, Statement, StatementActivity, StatementAgent, StatementTarget
from .sql import built_once_per_dialect, dialect_insert
from .times import parse_time

STATEMENTS = Statement.__table__
ACTIVITIES = StatementActivity.__table__
AGENTS = StatementAgent.__table__
TARGETS = StatementTarget.__table__
ACTIVITY_DEFINITIONS = Activity.__table__
_STORED_DEFINITIONS = select(ACTIVITY_DEFINITIONS.c.id, ACTIVITY_DEFINITIONS.c.definition).where(
    ACTIVITY_DEFINITIONS.c.id.in_(bindparam("ids", expanding=True)))
MAX_REMEMBERED_DEFINITIONS = 10_000
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
MERGED_MAPS = ("name", "description", "extensions")
STORED_VERSION = "1.0.0"


class Conflict(Exception):
    """A statement id already stored with different content."""


def now_iso() -> str:
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


def statement_row(s: dict) -> dict:
    """The statements-table row of a prepared statement."""
    target = s["object"]
    return {
        "id": s["id"], "stored": parse_time(s["stored"]), "timestamp": parse_time(s["timestamp"]),
        "verb_id": s["verb"]["id"], "registration": (s.get("context") or {}).get("registration"),
        "object_statement_id": target["id"].lower() if target.get("objectType") == "StatementRef" else None,
        "voided": False, "is_voiding": s["verb"]["id"] == VOIDED, "authority_key": agent_key(s.get("authority")),
        "document": orjson.dumps(s).decode(),
    }


def index_rows(statements: list[dict], stored: list[datetime]) -> tuple[list[dict], list[dict], dict[str, dict]]:
    """The activity and agent index rows of prepared statements (each with its statement's stored time),
    and the activity definitions they carry, merged."""
    activity_rows, agent_rows = [], []
    definitions: dict[str, dict] = {}
    for s, moment in zip(statements, stored, strict=True):
        for kind, key, role in set(_mentions(s)):
            if kind == "activity":
                activity_rows.append({"statement_id": s["id"], "activity_id": key, "role": role, "stored": moment})
            else:
                agent_rows.append({"statement_id": s["id"], "agent_key": key, "role": role, "stored": moment})
        target = s["object"]
        if target.get("objectType", "Activity") == "Activity" and target.get("definition"):
            definitions[target["id"]] = merged_definition(definitions.get(target["id"]), target["definition"])
    return activity_rows, agent_rows, definitions


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


def _activity_roles(q: StatementQuery) -> tuple[str, ...]:
    return ("object", "related") if q.related_activities else ("object",)


def _agent_roles(q: StatementQuery) -> tuple[str, ...]:
    return ("actor", "object", "related") if q.related_agents else ("actor", "object")


def _window(q: StatementQuery, stored, statement_id) -> list:
    """since, until and the cursor of the previous page, on a (stored, id) pair of columns."""
    conditions = []
    if q.since:
        conditions.append(stored > bindparam("since", type_=STATEMENTS.c.stored.type))
    if q.until:
        conditions.append(stored <= bindparam("until", type_=STATEMENTS.c.stored.type))
    if q.after:
        position = tuple_(stored, statement_id)
        last = tuple_(bindparam("after_stored", type_=STATEMENTS.c.stored.type), bindparam("after_id"))
        conditions.append(position > last if q.ascending else position < last)
    return conditions


def _newest_first(q: StatementQuery, stored, statement_id) -> tuple:
    return (stored.asc(), statement_id.asc()) if q.ascending else (stored.desc(), statement_id.desc())


def _page(q: StatementQuery, stored, statement_id, *where):
    """One branch of the union: its own page of distinct (id, stored) in index order, as a subquery (SQLite
    takes no LIMIT in a UNION member). Distinct: a statement may mention a key itself and through its target."""
    branch = select(statement_id.label("id"), stored.label("stored")).distinct() \
        .where(*where, *_window(q, stored, statement_id)).order_by(*_newest_first(q, stored, statement_id)) \
        .limit(bindparam("page") if q.limit else None).subquery()
    return select(branch.c.id, branch.c.stored)


def _same_origin(q: StatementQuery, mention, statement, driven_by: str) -> list:
    """The filters other than ``driven_by``, on the statement an index row ``mention`` belongs to: the
    statement itself (origin NULL) or the StatementRef target it was copied from (XAPI-00162)."""
    conditions = []
    for column, value in (("verb_id", q.verb), ("registration", q.registration)):
        if value:
            conditions.append(or_(and_(mention.c.origin_id.is_(None), statement.c[column] == bindparam(column)),
                                  exists().where(TARGETS.c.statement_id == mention.c.statement_id,
                                                 TARGETS.c.origin_id == mention.c.origin_id,
                                                 TARGETS.c[column] == bindparam(column))))
    for kind, table, key, value, roles in (("activity", ACTIVITIES, ACTIVITIES.c.activity_id, q.activity,
                                            _activity_roles(q)),
                                           ("agent", AGENTS, AGENTS.c.agent_key, q.agent, _agent_roles(q))):
        if value and kind != driven_by:
            conditions.append(exists().where(table.c.statement_id == mention.c.statement_id, key == bindparam(kind),
                                             table.c.role.in_(roles),
                                             table.c.origin_id.is_not_distinct_from(mention.c.origin_id)))
    return conditions


def _branches(q: StatementQuery) -> list:
    """Pages of the non-voided statements the filters match, or whose StatementRef (chain) leads to a match,
    each read in order off one index: the agent or activity index table (one branch per role; its rows
    include those copied from targets), else the verb or registration index of the statements and of their
    targets, else the stored index."""
    s = STATEMENTS
    if q.agent or q.activity:
        table, key, value, roles, driver = (AGENTS, AGENTS.c.agent_key, q.agent, _agent_roles(q), "agent") if q.agent \
            else (ACTIVITIES, ACTIVITIES.c.activity_id, q.activity, _activity_roles(q), "activity")
        return [_page(q, table.c.stored, table.c.statement_id, s.c.id == table.c.statement_id,
                      key == bindparam(driver), table.c.role == role, ~s.c.voided, *_same_origin(q, table, s, driver))
                for role in roles]
    filters = [column for column, value in (("verb_id", q.verb), ("registration", q.registration)) if value]
    direct = _page(q, s.c.stored, s.c.id, ~s.c.voided, *(s.c[column] == bindparam(column) for column in filters))
    if not filters:
        return [direct]
    return [direct, _page(q, TARGETS.c.stored, TARGETS.c.statement_id, s.c.id == TARGETS.c.statement_id, ~s.c.voided,
                          *(TARGETS.c[column] == bindparam(column) for column in filters))]


def page_query(q: StatementQuery):
    """A page of matching statements (the union of index-ordered branches, each limited to a page), and its
    parameters. Built once per shape of query: the values are bound parameters."""
    shape = (bool(q.agent), bool(q.verb), bool(q.activity), bool(q.registration), q.related_activities,
             q.related_agents, bool(q.since), bool(q.until), bool(q.after), q.ascending, bool(q.limit))
    params = {"agent": q.agent, "verb_id": q.verb, "activity": q.activity, "registration": q.registration,
              "since": q.since, "until": q.until, "page": q.limit + 1 if q.limit else None}
    if q.after:
        params.update(after_stored=parse_time(q.after[0]), after_id=q.after[1])
    statement = _PAGE_QUERIES.get(shape)
    if statement is None:
        statement = _PAGE_QUERIES[shape] = _page_query(q)
    return statement, {name: value for name, value in params.items() if value is not None}


_PAGE_QUERIES: dict[tuple, Select] = {}  # at most 2**11 shapes


def _page_query(q: StatementQuery) -> Select:
    """The statement for queries of ``q``'s shape; ``q`` gives it no value, only its shape."""
    branches = _branches(q)
    page = union(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    return select(STATEMENTS.c.document, STATEMENTS.c.stored, STATEMENTS.c.id) \
        .join_from(page, STATEMENTS, STATEMENTS.c.id == page.c.id) \
        .order_by(*_newest_first(q, page.c.stored, page.c.id)).limit(bindparam("page") if q.limit else None)


def _chain():
    """(referring statement, statement along its StatementRef chain) for the statements ``ids``; UNION ends
    cycles."""
    referring, step = STATEMENTS.alias("referring"), STATEMENTS.alias("step")
    chain = select(referring.c.id, referring.c.stored, referring.c.object_statement_id.label("target_id")) \
        .where(referring.c.id.in_(bindparam("ids", expanding=True)), referring.c.object_statement_id.is_not(None)) \
        .cte("chain", recursive=True)
    return chain.union(select(chain.c.id, chain.c.stored, step.c.object_statement_id)
                       .join_from(chain, step, step.c.id == chain.c.target_id)
                       .where(step.c.object_statement_id.is_not(None)))


def _inheritance() -> tuple[list, list]:
    """The statements that forget, then copy, what the chains of the statements ``ids`` lead to."""
    chain = _chain()
    copies = [insert(table).from_select(
        ["statement_id", key.name, "role", "stored", "origin_id"],
        select(chain.c.id, key, table.c.role, chain.c.stored, table.c.statement_id)
        .join_from(chain, table, and_(table.c.statement_id == chain.c.target_id, table.c.origin_id.is_(None)))
        .where(chain.c.target_id != chain.c.id))
        for table, key in ((AGENTS, AGENTS.c.agent_key), (ACTIVITIES, ACTIVITIES.c.activity_id))]
    target = STATEMENTS.alias("target")
    copies.append(insert(TARGETS).from_select(
        ["statement_id", "origin_id", "verb_id", "registration", "stored"],
        select(chain.c.id, target.c.id, target.c.verb_id, target.c.registration, chain.c.stored)
        .join_from(chain, target, target.c.id == chain.c.target_id).where(chain.c.target_id != chain.c.id)))
    ids: BindParameter[list[str]] = bindparam("ids", expanding=True)
    forget = [delete(AGENTS).where(AGENTS.c.statement_id.in_(ids), AGENTS.c.origin_id.is_not(None)),
              delete(ACTIVITIES).where(ACTIVITIES.c.statement_id.in_(ids), ACTIVITIES.c.origin_id.is_not(None)),
              delete(TARGETS).where(TARGETS.c.statement_id.in_(ids))]
    return forget, copies


_REFERRING_TO = select(STATEMENTS.c.id).where(STATEMENTS.c.object_statement_id.in_(bindparam("ids", expanding=True)))


_FORGET, _COPY = _inheritance()


def inherit(connection: Connection, ids: list[str], fresh: bool = False) -> None:
    """(Re)copy onto the statements ``ids`` what their StatementRef chains lead to; ``fresh``: they have no
    copies yet."""
    if not ids:
        return
    for statement in ([] if fresh else _FORGET) + _COPY:
        connection.execute(statement, {"ids": ids})


_INSERTS: dict[str, Insert] = {}  # per table, built once


def _bulk_insert(connection: Connection, *batches: tuple) -> None:
    """Rows of several tables (``(table, rows)`` pairs, in an order their foreign keys allow) at once. On
    PostgreSQL one statement, each table's rows one JSON parameter that the server expands into records, the
    first tables' INSERTs as WITH clauses (their foreign keys are checked at the end of the statement): one
    round trip whatever the number of rows and tables, the same SQL text per shape, parsed once. Elsewhere an
    executemany per table."""
    batches = tuple((table, rows) for table, rows in batches if rows)
    if not batches:
        return
    if connection.dialect.name != "postgresql":
        for table, rows in batches:
            statement = _INSERTS.get(table.name)
            if statement is None:
                statement = _INSERTS[table.name] = insert(table)
            connection.execute(statement, rows)
        return
    shape = tuple((table, tuple(rows[0])) for table, rows in batches)
    connection.exec_driver_sql(_records_insert(shape), tuple(_records(rows) for _, rows in batches))


def _records(rows: list[dict]) -> str:
    """Rows as one JSON parameter: orjson writes it at C speed (psycopg dumps arrays value by value in Python),
    aware datetimes with their offset."""
    return orjson.dumps(rows).decode()


def _from_records(table, columns) -> str:
    names = ", ".join(columns)
    return f"SELECT {names} FROM json_populate_recordset(NULL::{table.name}, %s::json)"


@lru_cache(maxsize=64)
def _records_insert(shape: tuple) -> str:
    inserts = [f"INSERT INTO {table.name} ({', '.join(columns)}) {_from_records(table, columns)}"
               for table, columns in shape]
    *first, last = inserts
    if not first:
        return last
    return "WITH " + ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(first)) + " " + last


_STATEMENT_COLUMNS = ("id", "stored", "timestamp", "verb_id", "registration", "object_statement_id", "voided",
                      "is_voiding", "authority_key", "document")
_INSERT_NEW_IDS = (f"WITH batch AS ({_from_records(STATEMENTS, _STATEMENT_COLUMNS)}), "
                   f"inserted AS (INSERT INTO {STATEMENTS.name} ({', '.join(_STATEMENT_COLUMNS)}) "
                   "SELECT * FROM batch ON CONFLICT (id) DO NOTHING RETURNING id) "
                   f"SELECT id, false FROM inserted UNION ALL SELECT id, true FROM {STATEMENTS.name} "
                   "WHERE object_statement_id IN (SELECT id FROM batch)")


@built_once_per_dialect
def _insert_new_statements(connection: Connection) -> Insert:
    return dialect_insert(connection, STATEMENTS).on_conflict_do_nothing(index_elements=["id"]).returning(
        STATEMENTS.c.id)


@built_once_per_dialect
def _merge_definitions(connection: Connection) -> Insert:
    statement = dialect_insert(connection, ACTIVITY_DEFINITIONS)
    return statement.on_conflict_do_update(index_elements=["id"], set_={"definition": statement.excluded.definition})


@built_once_per_dialect
def _keep_attachment(connection: Connection) -> Insert:
    return dialect_insert(connection, Attachment.__table__).on_conflict_do_nothing(index_elements=["sha2"])


def _insert_new_ids(connection: Connection, rows: list[dict]) -> tuple[set[str], set[str] | None]:
    """Insert the statement rows whose id is not stored yet: the ids inserted, and (PostgreSQL) the statements
    stored earlier that target one of them. On PostgreSQL, one short statement over the rows as one JSON
    parameter (the same SQL text whatever the batch size, so it is parsed once), in one round trip."""
    if connection.dialect.name != "postgresql":
        return set(connection.execute(_insert_new_statements(connection), rows).scalars()), None
    inserted: set[str] = set()
    referring: set[str] = set()
    for statement_id, refers in connection.exec_driver_sql(
            _INSERT_NEW_IDS, (_records(rows),)):
        (referring if refers else inserted).add(statement_id)
    return inserted, referring


class SqlStatementStore:
    """Statements, their index rows and activity definitions, written in the caller's transaction.

    Definitions read from the database are remembered: a host application that sends the same fixed
    definitions with every statement (Passeport's modules) skips reading them again. One changed since by
    another process is merged again when a statement brings something new."""

    def __init__(self) -> None:
        self._stored_definitions: dict[str, dict] = {}

    def save(self, connection: Connection, statements: list[dict],
             attachments: dict[str, tuple[str, bytes]] | None = None) -> list[str]:
        """Store prepared statements; an id already stored with the same content is skipped.

        Raises Conflict when an id is stored with different content.
        """
        ids = [s["id"] for s in statements]
        rows = [statement_row(s) for s in statements]
        inserted, referring = _insert_new_ids(connection, rows)
        if len(inserted) < len(rows):
            self._check_collisions(connection, [s for s in statements if s["id"] not in inserted])
            rows = [row for row in rows if row["id"] in inserted]
            statements = [s for s in statements if s["id"] in inserted]
        self._index(connection, statements, rows, referring)
        if attachments:
            self._store_attachments(connection, attachments)
        return ids

    def _check_collisions(self, connection: Connection, statements: list[dict]) -> None:
        """Statements whose ids were stored already: identical content is fine, anything else a conflict."""
        stored = dict(connection.execute(select(STATEMENTS.c.id, STATEMENTS.c.document)
                                         .where(STATEMENTS.c.id.in_([s["id"] for s in statements]))).all())
        for statement in statements:
            if not equivalent(orjson.loads(stored[statement["id"]]), statement):
                raise Conflict(statement["id"])

    def insert_new(self, connection: Connection, statements: list[dict]) -> None:
        """Statements whose ids were just generated here: nothing stored can have them."""
        if statements:
            rows = [statement_row(s) for s in statements]
            self._index(connection, statements, rows, set(), written=False)  # fresh ids: nothing targets them

    def _index(self, connection: Connection, statements: list[dict], rows: list[dict],
               referring: set[str] | None, written: bool = True) -> None:
        """Index rows, inheritance, voiding and activity definitions of fresh statements (their ``rows``
        inserted with the index rows unless ``written``); ``referring``: the statements stored earlier that
        target them, when known."""
        if not statements:
            return
        activity_rows, agent_rows, definitions = index_rows(statements, [row["stored"] for row in rows])
        _bulk_insert(connection, (STATEMENTS, [] if written else rows), (ACTIVITIES, activity_rows),
                     (AGENTS, agent_rows))
        self._inherit(connection, rows, referring)
        self._void(connection, [r["object_statement_id"] for r in rows if r["is_voiding"]])
        self._define(connection, definitions)

    def _inherit(self, connection: Connection, rows: list[dict], referring: set[str] | None) -> None:
        """What new StatementRefs lead to, copied onto them; and onto the statements stored earlier whose
        chain a new statement now extends (a target may arrive after the statements referring to it)."""
        if referring is None:
            referring = set(connection.execute(_REFERRING_TO, {"ids": [row["id"] for row in rows]}).scalars())
        above, frontier = set(referring), referring
        while frontier:  # further up their chains; ``above`` ends cycles
            frontier = set(connection.execute(_REFERRING_TO, {"ids": sorted(frontier)}).scalars()) - above
            above |= frontier
        inherit(connection, sorted(above))
        inherit(connection, sorted({row["id"] for row in rows if row["object_statement_id"]} - above), fresh=True)

    def _void(self, connection: Connection, targets: list[str]) -> None:
        """A voiding statement voids its target, unless the target is itself a voiding statement."""
        if targets:
            connection.execute(update(STATEMENTS).where(STATEMENTS.c.id.in_(targets),
                                                        STATEMENTS.c.is_voiding.is_(False)).values(voided=True))

    def _define(self, connection: Connection, definitions: dict[str, dict]) -> None:
        """Merge the batch's definitions into the stored ones: one read, and one upsert of those that change."""
        for activity_id in [a for a, d in definitions.items() if self._stored_definitions.get(a) == d]:
            del definitions[activity_id]  # stored as is, as this process read it: a host's own fixed definitions
        if not definitions:
            return
        known = connection.execute(_STORED_DEFINITIONS, {"ids": list(definitions)}).all()
        if len(self._stored_definitions) > MAX_REMEMBERED_DEFINITIONS:
            self._stored_definitions.clear()
        self._stored_definitions.update(known)
        for activity_id, definition in known:
            merged = merged_definition(definition, definitions[activity_id])
            if merged == definition:
                del definitions[activity_id]
            else:
                definitions[activity_id] = merged
        if not definitions:
            return
        connection.execute(_merge_definitions(connection), [{"id": k, "definition": v} for k, v in definitions.items()])

    def _store_attachments(self, connection: Connection, attachments: dict[str, tuple[str, bytes]]) -> None:
        connection.execute(_keep_attachment(connection), [
            {"sha2": sha2, "content_type": content_type, "content": content}
            for sha2, (content_type, content) in attachments.items()])

    def authorities(self, connection: Connection, ids: list[str]) -> dict[str, str | None]:
        """The authority key of each stored statement among ``ids`` (who may void it)."""
        return {row.id: row.authority_key for row in connection.execute(
            select(STATEMENTS.c.id, STATEMENTS.c.authority_key).where(STATEMENTS.c.id.in_(ids)))}

    def get(self, connection: Connection, statement_id: str, voided: bool = False) -> dict | None:
        row = connection.execute(select(STATEMENTS.c.document, STATEMENTS.c.voided)
                                 .where(STATEMENTS.c.id == statement_id.lower())).first()
        if row is None or row.voided != voided:
            return None
        return orjson.loads(row.document)

    def query(self, connection: Connection, q: StatementQuery) -> tuple[list[dict], tuple[str, str] | None]:
        """A page of matching statements (never voided ones), newest first unless ascending, and the next cursor."""
        documents, more = self.query_documents(connection, q)
        return [orjson.loads(document) for document in documents], more

    def query_documents(self, connection: Connection, q: StatementQuery) -> tuple[list[str], tuple[str, str] | None]:
        """``query``, each statement as the JSON text stored (for answers that return it as it is)."""
        rows = connection.execute(*page_query(q)).all()
        more = None
        if q.limit and len(rows) > q.limit:
            rows = rows[:q.limit]
            more = (iso(rows[-1].stored), rows[-1].id)
        return [r.document for r in rows], more

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
