"""``passeport xapi …``: LRS credentials, external LRSs, forwarding, replay."""
from __future__ import annotations

import threading

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete, select

from . import credentials, outbox
from .forwarding import Forwarder
from .models import Endpoint
from .replay import replay

xapi_cli = AppGroup("xapi", help="The embedded LRS, forwarding to external LRSs, replay.")
credentials_cli = AppGroup("credentials", help="HTTP Basic credentials for the LRS API.")
lrs_cli = AppGroup("lrs", help="External LRSs that receive a copy of every statement.")
xapi_cli.add_command(credentials_cli)
xapi_cli.add_command(lrs_cli)
ENDPOINTS = Endpoint.__table__


def _lrs():
    return current_app.extensions["passeport.lrs"]


@credentials_cli.command("add")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(credentials.SCOPES), default=("all",),
              show_default=True)
def credentials_add(name: str, scopes: tuple[str, ...]) -> None:
    """Create a key/secret pair; the secret is shown once and stored hashed."""
    with _lrs().database.connect() as connection:
        key, secret = credentials.add(connection, name, list(scopes))
    click.echo(f"key:    {key}\nsecret: {secret}\n(the secret is not stored: keep it now)")


@credentials_cli.command("list")
def credentials_list() -> None:
    with _lrs().database.read() as connection:
        for row in credentials.listing(connection):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            click.echo(f"{row.key}\t{row.name}\t{','.join(row.scopes)}\t{state}")


@credentials_cli.command("revoke")
@click.argument("key")
def credentials_revoke(key: str) -> None:
    with _lrs().database.connect() as connection:
        if not credentials.revoke(connection, key):
            raise click.ClickException(f"no active credential {key}")
    click.echo(f"revoked {key}")


@lrs_cli.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The LRS endpoint, e.g. https://lrs.example.org/xapi")
@click.option("--username")
@click.option("--password")
@click.option("--platform-issuer", help="Forward only statements about this platform's learners.")
def lrs_add(name, url, username, password, platform_issuer) -> None:
    """Register an external LRS (or update the one with this name); statements stored from now on go to it."""
    try:
        with _lrs().database.connect() as connection:
            added = outbox.save_endpoint(connection, name, url, username, password, platform_issuer)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"{'added' if added else 'updated'} {name} → {url}")


@lrs_cli.command("list")
def lrs_list() -> None:
    with _lrs().database.read() as connection:
        for row in connection.execute(select(ENDPOINTS).order_by(ENDPOINTS.c.id)):
            click.echo(f"{row.name}\t{row.url}\tplatform={row.platform_issuer or '*'}\t"
                       f"{'enabled' if row.enabled else 'disabled'}")


@lrs_cli.command("remove")
@click.argument("name")
def lrs_remove(name: str) -> None:
    with _lrs().database.connect() as connection:
        if not connection.execute(delete(ENDPOINTS).where(ENDPOINTS.c.name == name)).rowcount:
            raise click.ClickException(f"no external LRS named {name}")
    click.echo(f"removed {name}")


@xapi_cli.command("forward")
@click.option("--once", is_flag=True, help="Deliver what is due, then stop.")
def forward(once: bool) -> None:
    """Deliver the outbox to the external LRSs (runs until stopped unless --once)."""
    forwarder = Forwarder(_lrs().database)
    if once:
        click.echo(f"delivered {forwarder.run_once()} statement(s)")
        return
    stop = threading.Event()
    try:
        forwarder.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


@xapi_cli.command("outbox")
@click.option("--retry-dead", is_flag=True, help="Put dead letters back in the queue.")
def outbox_status(retry_dead: bool) -> None:
    """Delivery counts per external LRS, and the dead letters with the LRS's error."""
    with _lrs().database.connect() as connection:
        if retry_dead:
            click.echo(f"{outbox.retry_dead(connection)} dead letter(s) queued again")
        for name, status, count in outbox.summary(connection):
            click.echo(f"{name}\t{status}\t{count}")
        for name, statement_id, attempts, error in outbox.dead_letters(connection):
            click.echo(f"dead\t{name}\t{statement_id}\tattempts={attempts}\t{error}")


@xapi_cli.command("replay")
def replay_command() -> None:
    """Rebuild the progress projection from the stored statements."""
    with _lrs().database.connect() as connection:
        count = replay(connection, current_app.extensions["passeport.catalogue"], _lrs().tool_authority)
    click.echo(f"replayed {count} learning event(s)")
