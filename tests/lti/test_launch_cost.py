"""What a launch costs the database, counted on the engine (not timed): statements, COMMITs, compilations.

A launch round trip is the login, the launch and the landing page, from a real platform over HTTP.
"""
from __future__ import annotations

from collections import Counter

import pytest
import requests
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats

from lti_tool import database
from tests.peers.lti_platform import landing

MAX_STATEMENTS, MAX_COMMITS = 15, 2


def autocommitted_write(connection, statement: str) -> bool:
    """A write on an autocommit connection commits on its own (the login's, on PostgreSQL)."""
    return (connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
            and not statement.lstrip().upper().startswith("SELECT"))


class EngineWatch:
    """Statements, COMMITs and compiled-cache misses sent on the app's engines while ``on``."""

    def __init__(self, db):
        self.engines, self.on = {db.engine, db.volatile_engine}, False  # the login writes on the second one
        self.statements: list[str] = []
        self.commits = 0
        self.compiled: Counter[str] = Counter()  # SQL compiled (cache missed), by text
        self.uncacheable: list[str] = []
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._statement)
            event.listen(engine, "commit", self._commit)

    def _statement(self, connection, _cursor, statement, _parameters, context, _many) -> None:
        if not self.on:
            return
        self.statements.append(statement)
        self.commits += autocommitted_write(connection, statement)
        if context.compiled is None:
            return  # driver SQL (SET LOCAL …): nothing is compiled
        if context.cache_hit is CacheStats.CACHE_MISS:
            self.compiled[statement] += 1
        elif context.cache_hit is not CacheStats.CACHE_HIT:
            self.uncacheable.append(statement)

    def _commit(self, _connection) -> None:
        self.commits += self.on

    def reset(self) -> None:
        self.statements, self.commits = [], 0
        self.compiled, self.uncacheable = Counter(), []

    def close(self) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._statement)
            event.remove(engine, "commit", self._commit)


@pytest.fixture
def watch(live_tool):
    watching = EngineWatch(database(live_tool.app))
    yield watching
    watching.close()


def _round_trip(live_tool, peer, user: str) -> None:
    browser = requests.Session()
    form = peer.launch_form(browser, "ok", user)
    launched = browser.post(form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]},
                            allow_redirects=False)
    assert landing(launched) == "/modules/vendre-sur-internet" and "<h1>Vendre sur Internet</h1>" in launched.text


def _counted(watch: EngineWatch, launch) -> tuple[int, int]:
    watch.reset()
    watch.on = True
    try:
        launch()
    finally:
        watch.on = False
    return len(watch.statements), watch.commits


def test_a_launch_round_trip_stays_within_its_statement_and_commit_budget(live_tool, peer, watch):
    _round_trip(live_tool, peer, "first-of-the-course")
    statements, commits = _counted(watch, lambda: _round_trip(live_tool, peer, "new-learner"))
    assert statements <= MAX_STATEMENTS and commits <= MAX_COMMITS, watch.statements
    statements, commits = _counted(watch, lambda: _round_trip(live_tool, peer, "new-learner"))  # returning
    assert statements <= MAX_STATEMENTS and commits <= MAX_COMMITS, watch.statements


def test_launches_compile_no_statement_twice_and_none_uncacheable(live_tool, peer, watch):
    """Statements are compiled once per process: after a few launches, more launches compile nothing again
    (a statement whose SQL changes per call, or that cannot be cached, would grow with the launches)."""
    for n in range(5):
        _round_trip(live_tool, peer, f"warm-{n}")
    watch.reset()
    watch.on = True
    for n in range(50):
        _round_trip(live_tool, peer, f"learner-{n}")
    watch.on = False
    assert len(watch.statements) >= 50 * 9  # the watch saw the launches (9 statements each on PostgreSQL)
    assert not watch.uncacheable
    assert [sql for sql, times in watch.compiled.items() if times > 1] == []
    assert sum(watch.compiled.values()) <= 2, watch.compiled  # at most a rare path's first use (the expired purge)
