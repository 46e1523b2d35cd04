"""Click commands for an embedded LRS and the outbox; the host application says where its LRS and outbox are.

``xapi_cli(lrs, worker)`` builds the ``xapi`` group (credentials, external LRSs,
forwarding); ``outbox_cli(worker)`` the generic ``outbox`` group. Both take
functions, called when a command runs (inside the application context).
"""
from __future__ import annotations

import threading
from collections.abc import Callable

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import delete, select

from . import basic_auth, outbox
from .forwarding import KIND, reseal_endpoints, save_endpoint
from .lrs import Lrs
from .models import Endpoint
from .outbox import Outbox
from .sealing import Unsealable

ENDPOINTS = Endpoint.__table__


def outbox_cli(worker: Callable[[], Outbox]) -> AppGroup:
    group = AppGroup("outbox", help="The durable outbox: deliveries to external LRSs and other destinations.")
    group.add_command(_run_command("run", worker), "run")
    group.add_command(_status_command("status", worker), "status")
    return group


def xapi_cli(lrs: Callable[[], Lrs], worker: Callable[[], Outbox]) -> AppGroup:
    group = AppGroup("xapi", help="The embedded LRS, forwarding to external LRSs.")
    group.add_command(_credentials_cli(lrs))
    group.add_command(_lrs_cli(lrs))
    group.add_command(_run_command("forward", worker))
    group.add_command(_status_command("outbox", worker))
    return group


def _run_command(name: str, worker: Callable[[], Outbox]) -> click.Command:
    @click.command(name)
    @with_appcontext
    @click.option("--once", is_flag=True, help="Deliver what is due, then stop.")
    def run(once: bool) -> None:
        """Deliver the outbox (runs until stopped unless --once)."""
        running = worker()
        if once:
            click.echo(f"delivered {running.run_once()} item(s)")
            return
        stop = threading.Event()
        try:
            running.run_forever(stop)
        except KeyboardInterrupt:
            stop.set()

    return run


def _status_command(name: str, worker: Callable[[], Outbox]) -> click.Command:
    @click.command(name)
    @with_appcontext
    @click.option("--retry-dead", is_flag=True, help="Put dead letters back in the queue.")
    def status(retry_dead: bool) -> None:
        """Delivery counts per kind and destination, and the dead letters with their error."""
        with worker().database.begin() as connection:
            if retry_dead:
                click.echo(f"{outbox.retry_dead(connection)} dead letter(s) queued again")
            for kind, destination, state, count in outbox.summary(connection):
                click.echo(f"{kind}\t{destination}\t{state}\t{count}")
            for kind, destination, item_id, attempts, error in outbox.dead_letters(connection):
                click.echo(f"dead\t{kind}\t{destination}\t{item_id}\tattempts={attempts}\t{error}")

    return status


def _credentials_cli(lrs: Callable[[], Lrs]) -> AppGroup:
    group = AppGroup("credentials", help="HTTP Basic credentials for the LRS API.")

    @group.command("add")
    @click.argument("name")
    @click.option("--scope", "scopes", multiple=True, type=click.Choice(basic_auth.SCOPES), default=("all",),
                  show_default=True)
    def credentials_add(name: str, scopes: tuple[str, ...]) -> None:
        """Create a key/secret pair; the secret is shown once and stored hashed."""
        with lrs().database.begin() as connection:
            key, secret = basic_auth.add(connection, name, list(scopes))
        click.echo(f"key:    {key}\nsecret: {secret}\n(the secret is not stored: keep it now)")

    @group.command("list")
    def credentials_list() -> None:
        with lrs().database.read() as connection:
            for row in basic_auth.listing(connection):
                state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
                click.echo(f"{row.key}\t{row.name}\t{','.join(row.scopes)}\t{state}")

    @group.command("revoke")
    @click.argument("key")
    def credentials_revoke(key: str) -> None:
        with lrs().database.begin() as connection:
            if not basic_auth.revoke(connection, key):
                raise click.ClickException(f"no active credential {key}")
        click.echo(f"revoked {key}")

    return group


def _lrs_cli(lrs: Callable[[], Lrs]) -> AppGroup:
    group = AppGroup("lrs", help="External LRSs that receive a copy of every statement.")

    @group.command("add")
    @click.argument("name")
    @click.option("--url", required=True, help="The LRS endpoint, e.g. https://lrs.example.org/xapi")
    @click.option("--username")
    @click.option("--password")
    @click.option("--platform-issuer", help="Forward only statements about this platform's learners.")
    def lrs_add(name, url, username, password, platform_issuer) -> None:
        """Register an external LRS (or update the one with this name); statements stored from now on go to it."""
        try:
            with lrs().database.begin() as connection:
                added = save_endpoint(connection, name, url, username, password, platform_issuer, lrs().sealer)
        except ValueError as error:
            raise click.UsageError(str(error)) from error
        click.echo(f"{'added' if added else 'updated'} {name} → {url}")

    @group.command("reseal")
    @click.option("--previous-key", envvar="PASSEPORT_PREVIOUS_ENCRYPTION_KEY",
                  help="The secret the passwords were sealed with before (the former PASSEPORT_ENCRYPTION_KEY, "
                       "or SECRET_KEY when none was set).")
    def lrs_reseal(previous_key: str | None) -> None:
        """Seal every stored password under the current key: after a key change, and for passwords stored
        before sealing existed."""
        current = lrs().sealer
        if current is None:
            raise click.ClickException("this LRS has no sealing key")
        sealer = current.with_previous(previous_key) if previous_key else current
        try:
            with lrs().database.begin() as connection:
                count = reseal_endpoints(connection, sealer)
        except Unsealable as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"resealed {count} password(s)")

    @group.command("list")
    def lrs_list() -> None:
        with lrs().database.read() as connection:
            for row in connection.execute(select(ENDPOINTS).order_by(ENDPOINTS.c.id)):
                click.echo(f"{row.name}\t{row.url}\tplatform={row.platform_issuer or '*'}\t"
                           f"{'enabled' if row.enabled else 'disabled'}")

    @group.command("remove")
    @click.argument("name")
    def lrs_remove(name: str) -> None:
        """Remove an external LRS and what was still queued for it."""
        with lrs().database.begin() as connection:
            if not connection.execute(delete(ENDPOINTS).where(ENDPOINTS.c.name == name)).rowcount:
                raise click.ClickException(f"no external LRS named {name}")
            outbox.discard(connection, KIND, name)
        click.echo(f"removed {name}")

    return group
