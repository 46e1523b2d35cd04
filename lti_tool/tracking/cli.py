"""``passeport xapi …`` (xapi's commands on this app's LRS, plus replay) and ``passeport outbox …``."""
from __future__ import annotations

import click
from flask import current_app

from xapi.cli import outbox_cli as make_outbox_cli
from xapi.cli import xapi_cli as make_xapi_cli

from .. import services
from .replay import replay

xapi_cli = make_xapi_cli(services.lrs, services.outbox)
outbox_cli = make_outbox_cli(services.outbox)


@xapi_cli.command("replay")
def replay_command() -> None:
    """Rebuild the progress projection and the awards from the stored statements."""
    running = services.services()
    with running.database.begin() as connection:
        count = replay(connection, running.catalogue, running.statements.authority, current_app.config["BASE_URL"])
    click.echo(f"replayed {count} learning event(s)")
