"""Alembic migrations of the tool's tables; ``upgrade`` also runs xapi's own (``passeport db upgrade``)."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from xapi import migrations as xapi_migrations


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "lti_tool:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """xapi's tables first (the tool's never reference them), then the tool's, up to ``revision``."""
    xapi_migrations.upgrade(database_url)
    command.upgrade(alembic_config(database_url), revision)
