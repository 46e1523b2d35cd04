"""The ``passeport`` command: every administration task (also ``flask --app lti_tool …``)."""
from __future__ import annotations

import os
import subprocess
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup

from .app import create_app, prepare
from .domain.registrations import (
    PlatformSettings,
    RegistrationError,
    list_platforms,
    register_platform,
    remove_platform,
)
from .lti import tool_keys
from .migrations import upgrade
from .services import database

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
platform_cli = AppGroup("platform", help="LMS platforms registered with the tool.")
keys_cli = AppGroup("keys", help="The tool's LTI signing keys.")
admin_cli = AppGroup("admin", help="Administration from the browser.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
@click.option("--forwarder/--no-forwarder", default=True, show_default=True,
              help="Also run `passeport outbox run` (delivery to external LRSs) beside the server.")
def serve(host: str, port: int, workers: int, threads: int, forwarder: bool) -> None:
    """Production server (gunicorn); applies pending migrations first."""
    from .server import run

    if not os.environ.get("PASSEPORT_BASE_URL"):
        # Without a public URL, the tool is where it listens; workers read the same variable.
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        os.environ["PASSEPORT_BASE_URL"] = current_app.config["BASE_URL"] = f"http://{shown_host}:{port}"
    prepare(current_app)
    demo = "on" if current_app.config["DEMO"] else "off"
    click.echo(f"Passeport on {current_app.config['BASE_URL']}/ (demo LMS: {demo})")
    worker = subprocess.Popen([sys.executable, "-m", "lti_tool", "outbox", "run"]) if forwarder else None
    try:
        run(host=host, port=port, workers=workers, threads=threads)
    finally:
        if worker:
            worker.terminate()
            worker.wait(10)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply Alembic migrations up to REVISION (default: head); at head, also what a first run needs (signing
    keys, the environment's LRS), so a container's one-shot `db upgrade` readies the web and forwarder."""
    if revision == "head":
        prepare(current_app)
    else:
        upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@platform_cli.command("add")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True)
@click.option("--auth-token-url", required=True)
@click.option("--jwks-url", required=True)
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True)
@click.option("--name")
def platform_add(issuer, client_id, auth_login_url, auth_token_url, jwks_url, deployment_ids, name) -> None:
    """Register a platform, or update it and add deployments (idempotent)."""
    settings = PlatformSettings(issuer, client_id, auth_login_url, auth_token_url, jwks_url, tuple(deployment_ids),
                                name)
    try:
        with database().session() as db:
            platform, created = register_platform(db, settings)
            deployments = [d.deployment_id for d in platform.deployments]
    except RegistrationError as error:
        raise click.UsageError(str(error)) from error
    outcome = "added" if created else "updated"
    click.echo(f"{outcome} {issuer} (client {client_id}); deployments: {', '.join(deployments)}")


@platform_cli.command("list")
def platform_list() -> None:
    """Registered platforms and their deployments."""
    with database().sessions() as db:
        platforms = list_platforms(db)
        if not platforms:
            click.echo("no platform registered")
        for p in platforms:
            click.echo(f"{p.issuer}\tclient={p.client_id}\tname={p.name or '-'}\t"
                       f"deployments={','.join(d.deployment_id for d in p.deployments)}\tjwks={p.jwks_url}")


@platform_cli.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--delete-learner-data", is_flag=True, help="Also delete the users, courses and memberships it brought.")
def platform_remove(issuer: str, client_id: str, delete_learner_data: bool) -> None:
    """Remove a registration."""
    try:
        with database().session() as db:
            removed = remove_platform(db, issuer, client_id, delete_learner_data)
    except RegistrationError as error:
        raise click.UsageError(str(error)) from error
    if not removed:
        raise click.ClickException(f"no platform {issuer} with client id {client_id}")
    click.echo(f"removed {issuer} (client {client_id})")


@keys_cli.command("list")
def keys_list() -> None:
    """Signing keys, newest first; retired keys stay published in the JWKS."""
    with database().sessions() as db:
        for key in sorted(db.scalars(tool_keys.select_keys()), key=lambda k: k.id, reverse=True):
            click.echo(f"{key.kid}\t{key.status}\tcreated={key.created_at:%Y-%m-%d %H:%M}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Activate a new signing key and retire the current one."""
    with database().session() as db:
        key = tool_keys.rotate(db)
    click.echo(f"active key is now {key.kid}")


@admin_cli.command("token")
def admin_token() -> None:
    """Print a one-time link (15 minutes) to the administrator page: platforms and deployments, add one."""
    from .lti.admin import TOKEN_LIFETIME_SECONDS, issue_token
    from .lti.storage import DatabaseLaunchDataStorage

    token = issue_token(DatabaseLaunchDataStorage(database()))
    click.echo(f"{current_app.config['BASE_URL']}/admin/token/{token}")
    click.echo(f"(single use, valid {TOKEN_LIFETIME_SECONDS // 60} minutes)", err=True)


def register_commands(app: Flask) -> None:
    from .authoring.cli import content_cli
    from .badges.cli import badges_cli, issuer_cli
    from .demo.seed import demo_cli
    from .tracking.cli import outbox_cli, xapi_cli

    for command in (serve, db_cli, platform_cli, keys_cli, admin_cli, content_cli, xapi_cli, outbox_cli, badges_cli,
                    issuer_cli,
                    demo_cli):
        app.cli.add_command(command)


main = FlaskGroup(create_app=create_app, add_default_commands=False, help="Passeport administration.")
