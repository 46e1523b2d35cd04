"""pylti1p3 launch data kept in the database, so every worker sees the same nonces and state."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from pylti1p3.contrib.flask import FlaskSessionService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy import delete

from ..db import Database
from ..models import LaunchState

DEFAULT_LIFETIME = 86400


def _now() -> datetime:
    return datetime.now(timezone.utc)


class DatabaseLaunchDataStorage(LaunchDataStorage):
    """Keys are global (no session cookie): nonces and states are random and unguessable."""

    _session_cookie_name = None

    def __init__(self, database: Database):
        super().__init__()
        self.database = database

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str):
        with self.database.sessions() as session:
            row = session.get(LaunchState, self._prepare_key(key))
            if row is None or _aware(row.expires_at) <= _now():
                return None
            return row.value

    def set_value(self, key: str, value, exp: int | None = None) -> None:
        expires = _now() + timedelta(seconds=exp or DEFAULT_LIFETIME)
        with self.database.transaction() as session:
            session.merge(LaunchState(key=self._prepare_key(key), value=value, expires_at=expires))
            if random.random() < 0.01:
                session.execute(delete(LaunchState).where(LaunchState.expires_at <= _now()))

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def consume(self, key: str) -> bool:
        """Delete the key if it is live; True for exactly one caller, whatever the worker."""
        with self.database.transaction() as session:
            result = session.execute(
                delete(LaunchState).where(
                    LaunchState.key == self._prepare_key(key), LaunchState.expires_at > _now()
                )
            )
            return result.rowcount == 1


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class SingleUseNonceSessionService(FlaskSessionService):
    """pylti1p3 only checks that a nonce exists; here a nonce is consumed by its first launch."""

    _nonce_lifetime = 600

    def save_nonce(self, nonce: str) -> None:
        self.data_storage.set_value(self._get_key("nonce", nonce), True, exp=self._nonce_lifetime)

    def check_nonce(self, nonce: str) -> bool:
        return self.data_storage.consume(self._get_key("nonce", nonce))
