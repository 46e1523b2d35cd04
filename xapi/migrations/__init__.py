"""xapi's own Alembic migrations, with their own version table, so a host application's migrations never own them."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

VERSION_TABLE = "xapi_alembic_version"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "xapi:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
