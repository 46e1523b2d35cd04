from alembic import context
from sqlalchemy import create_engine, pool

from xapi.migrations import VERSION_TABLE
from xapi.models import XapiBase

config = context.config
METADATA = XapiBase.metadata


def _ours(name, type_, _parent_names) -> bool:
    """Autogenerate compares xapi's tables only: the host application's live in the same database."""
    return type_ != "table" or name in METADATA.tables


def run_migrations() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True,
                          version_table=VERSION_TABLE, include_name=_ours)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
