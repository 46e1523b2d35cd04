"""Forwarding to external LRSs: the outbox's ``xapi-statement`` consumer.

Every statement stored is queued, in the same transaction, for each enabled
external LRS (optionally only one platform's learners). Statement ids are fixed
before delivery, so a resent statement is recognised by the receiving LRS: a
batch the LRS refuses as a conflict is retried one PUT per statement, where 204
(stored, or already stored identically) counts as delivered and 409 (stored
with different content) is a dead letter.
"""
from __future__ import annotations

import requests
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from . import outbox
from .models import Endpoint, Statement
from .outbox import Entry, Failure, Outbox, Outcome, Policy
from .sealing import PREFIX as SEALED
from .sealing import Sealer, Unsealable
from .sql import Connections, utcnow

KIND = "xapi-statement"
HEADERS = {"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
ENDPOINTS = Endpoint.__table__
_ENABLED = select(ENDPOINTS.c.name, ENDPOINTS.c.platform_issuer).where(ENDPOINTS.c.enabled.is_(True))
MAX_PASSWORD = 100  # sealed, it still fits the 255-character column
STATEMENTS = Statement.__table__

__all__ = ["KIND", "Forwarder", "Policy", "StatementDelivery", "enqueue_statements", "reseal_endpoints",
           "save_endpoint"]


def save_endpoint(connection: Connection, name: str, url: str, username: str | None = None,
                  password: str | None = None, platform_issuer: str | None = None,
                  sealer: Sealer | None = None) -> bool:
    """Add or update the external LRS called ``name`` (its password sealed when a sealer is given);
    True when it was added."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"an external LRS URL must be http(s), got {url!r}")
    if password is not None and len(password) > MAX_PASSWORD:
        raise ValueError(f"an external LRS password has at most {MAX_PASSWORD} characters")
    values = {"url": url, "username": username, "password": sealer.seal(password) if sealer else password,
              "platform_issuer": platform_issuer, "enabled": True}
    found = connection.execute(select(ENDPOINTS.c.id).where(ENDPOINTS.c.name == name)).scalar()
    if found:
        connection.execute(update(ENDPOINTS).where(ENDPOINTS.c.id == found).values(**values))
    else:
        connection.execute(insert(ENDPOINTS).values(name=name, created_at=utcnow(), **values))
    return not found


def enqueue_statements(connection: Connection, statements: list[dict]) -> None:
    """Queue stored statements for every enabled external LRS that wants them."""
    endpoints = connection.execute(_ENABLED).all()
    for endpoint in endpoints:
        outbox.enqueue(connection, KIND, endpoint.name, [
            s["id"] for s in statements if endpoint.platform_issuer in (None, _home_page(s))])


def _home_page(statement: dict) -> str | None:
    return ((statement.get("actor") or {}).get("account") or {}).get("homePage")


class StatementDelivery:
    """Delivers queued statements to the external LRS a destination names."""

    def __init__(self, http: requests.Session | None = None, timeout: float = Policy.timeout,
                 sealer: Sealer | None = None):
        self.http, self.timeout = http or requests.Session(), timeout  # one connection pool for every delivery
        self.sealer = sealer

    def __call__(self, connection: Connection, destination: str, entries: list[Entry]) -> Outcome:
        endpoint = connection.execute(select(ENDPOINTS).where(ENDPOINTS.c.name == destination,
                                                              ENDPOINTS.c.enabled.is_(True))).first()
        if endpoint is None:
            return Outcome(failed=[Failure(entries, f"no enabled external LRS named {destination}")])
        documents = {row.id: row.document for row in connection.execute(
            select(STATEMENTS.c.id, STATEMENTS.c.document).where(STATEMENTS.c.id.in_([e.item_id for e in entries])))}
        url = endpoint.url.rstrip("/") + "/statements"
        body = "[" + ",".join(documents[e.item_id] for e in entries) + "]"
        try:
            auth = self._auth(endpoint)
        except Unsealable as error:
            return Outcome(failed=[Failure(entries, str(error))])
        try:
            response = self.http.post(url, data=body.encode(), headers=HEADERS, auth=auth, timeout=self.timeout)
        except requests.RequestException as error:
            return Outcome(failed=[Failure(entries, f"{endpoint.url} unreachable: {error.__class__.__name__}")])
        if response.status_code in (200, 204):  # 204: all already there (Ralph answers so to a resent batch)
            return Outcome(delivered=entries)
        if response.status_code in (400, 409):
            return self._one_by_one(url, endpoint, entries, documents)
        return Outcome(failed=[Failure(entries, f"HTTP {response.status_code}: {response.text[:500]}")])

    def _one_by_one(self, url: str, endpoint, entries: list[Entry], documents: dict[str, str]) -> Outcome:
        outcome = Outcome()
        for entry in entries:
            try:
                response = self.http.put(url, params={"statementId": entry.item_id},
                                         data=documents[entry.item_id].encode(), headers=HEADERS,
                                         auth=self._auth(endpoint), timeout=self.timeout)
            except requests.RequestException as error:
                outcome.failed.append(Failure([entry], f"{endpoint.url} unreachable: {error.__class__.__name__}"))
                continue
            if response.status_code in (200, 204):
                outcome.delivered.append(entry)
            else:
                outcome.failed.append(Failure([entry], f"HTTP {response.status_code}: {response.text[:500]}",
                                              permanent=response.status_code in (400, 409)))
        return outcome

    def _auth(self, endpoint) -> tuple[str, str] | None:
        if not endpoint.username:
            return None
        if self.sealer is None and (endpoint.password or "").startswith(SEALED):
            raise Unsealable("this external LRS's password is sealed: the forwarder needs the host's sealing key")
        password = self.sealer.open(endpoint.password) if self.sealer else endpoint.password
        return endpoint.username, password or ""


def reseal_endpoints(connection: Connection, sealer: Sealer) -> int:
    """Seal every stored password under the sealer's current key; returns how many were rewritten."""
    rows = connection.execute(select(ENDPOINTS.c.id, ENDPOINTS.c.password).where(ENDPOINTS.c.password.is_not(None)))
    count = 0
    for row in rows.all():
        connection.execute(update(ENDPOINTS).where(ENDPOINTS.c.id == row.id)
                           .values(password=sealer.reseal(row.password)))
        count += 1
    return count


class Forwarder(Outbox):
    """An outbox worker that forwards statements only (for an LRS used on its own)."""

    def __init__(self, database: Connections, policy: Policy | None = None, http: requests.Session | None = None,
                 sealer: Sealer | None = None):
        super().__init__(database, policy)
        self.register(KIND, StatementDelivery(http, self.policy.timeout, sealer))


