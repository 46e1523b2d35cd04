"""Delivery of the outbox to external LRSs: batches, timeouts, retries with backoff, exactly once per id.

Statement ids are fixed before delivery, so a resent statement is recognised by
the receiving LRS: a batch the LRS refuses as a conflict is retried one PUT per
statement, where 204 (stored, or already stored identically) counts as delivered
and 409 (stored with different content) is a dead letter.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

import requests
from sqlalchemy import select

from lti_tool.db import Database

from . import outbox
from .models import Endpoint, Statement

log = logging.getLogger(__name__)
HEADERS = {"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}


@dataclass(frozen=True)
class Policy:
    batch_size: int = 100
    timeout: float = 10.0
    max_attempts: int = 12
    backoff_base: float = 2.0
    backoff_cap: float = 600.0


class Forwarder:
    def __init__(self, database: Database, policy: Policy = Policy(), http: requests.Session | None = None):
        self.database, self.policy = database, policy
        self.http = http or requests.Session()  # one connection pool for every delivery

    def run_once(self) -> int:
        """Deliver what is due to every enabled endpoint; returns how many statements were delivered."""
        with self.database.read() as connection:
            endpoints = connection.execute(select(Endpoint.__table__).where(Endpoint.__table__.c.enabled.is_(True))).all()
        return sum(self._drain(endpoint) for endpoint in endpoints)

    def run_forever(self, stop: threading.Event, idle_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                delivered = self.run_once()
            except Exception:  # a bad cycle must not stop the worker; it is logged and retried
                log.exception("forwarding cycle failed")
                delivered = 0
            if not delivered:
                stop.wait(idle_seconds)

    def _drain(self, endpoint) -> int:
        delivered = 0
        while True:
            with self.database.connect() as connection:
                entries = outbox.due(connection, endpoint.id, self.policy.batch_size, datetime.now(timezone.utc))
                if not entries:
                    return delivered
                documents = self._documents(connection, [e.statement_id for e in entries])
                ok, failed = self._deliver(endpoint, entries, documents)
                if ok:
                    outbox.mark_delivered(connection, [e.id for e in ok])
                for error, permanent, batch in failed:
                    outbox.mark_failed(connection, batch, error, base=self.policy.backoff_base,
                                       cap=self.policy.backoff_cap, max_attempts=self.policy.max_attempts,
                                       permanent=permanent)
            delivered += len(ok)
            if failed:
                return delivered

    def _documents(self, connection, ids: list[str]) -> dict[str, str]:
        table = Statement.__table__
        return {row.id: row.document for row in connection.execute(
            select(table.c.id, table.c.document).where(table.c.id.in_(ids)))}

    def _deliver(self, endpoint, entries, documents) -> tuple[list, list[tuple[str, bool, list]]]:
        url = endpoint.url.rstrip("/") + "/statements"
        body = "[" + ",".join(documents[e.statement_id] for e in entries) + "]"
        try:
            response = self.http.post(url, data=body.encode(), headers=HEADERS, auth=_auth(endpoint),
                                      timeout=self.policy.timeout)
        except requests.RequestException as error:
            return [], [(f"{endpoint.url} unreachable: {error.__class__.__name__}", False, entries)]
        if response.status_code in (200, 204):  # 204: all already there (Ralph answers so to a resent batch)
            return entries, []
        if response.status_code in (400, 409):
            return self._one_by_one(url, endpoint, entries, documents)
        return [], [(f"HTTP {response.status_code}: {response.text[:500]}", False, entries)]

    def _one_by_one(self, url, endpoint, entries, documents):
        ok, failed = [], []
        for entry in entries:
            try:
                response = self.http.put(url, params={"statementId": entry.statement_id},
                                         data=documents[entry.statement_id].encode(), headers=HEADERS,
                                         auth=_auth(endpoint), timeout=self.policy.timeout)
            except requests.RequestException as error:
                failed.append((f"{endpoint.url} unreachable: {error.__class__.__name__}", False, [entry]))
                continue
            if response.status_code in (200, 204):
                ok.append(entry)
            else:
                permanent = response.status_code in (400, 409)
                failed.append((f"HTTP {response.status_code}: {response.text[:500]}", permanent, [entry]))
        return ok, failed


def _auth(endpoint) -> tuple[str, str] | None:
    return (endpoint.username, endpoint.password or "") if endpoint.username else None
