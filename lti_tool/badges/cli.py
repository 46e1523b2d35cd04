"""``passeport badges …`` and ``passeport demo seed``."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .. import database

badges_cli = AppGroup("badges", help="Open Badges credentials: list, revoke, issuer keys.")
keys_cli = AppGroup("keys", help="The issuer's Ed25519 keys (did:web).")
badges_cli.add_command(keys_cli)
demo_cli = AppGroup("demo", help="The demo LMS and its sample learner.")


def _badges():
    return current_app.extensions["passeport.badges"]


@badges_cli.command("list")
def badges_list() -> None:
    """Every award: id, kind, module, learner, state."""
    from sqlalchemy import select

    from ..models import Award

    with database(current_app).read() as connection:
        for a in connection.execute(select(Award.__table__).order_by(Award.__table__.c.id)):
            state = f"revoked {a.revoked_at:%Y-%m-%d}: {a.revocation_reason}" if a.revoked_at else "valid"
            click.echo(f"{a.uid}\t{a.kind}\t{a.module_id or '-'}\tuser={a.user_id}\t{state}")


@badges_cli.command("revoke")
@click.argument("uid")
@click.option("--reason", required=True, help="Shown on the verification page.")
def badges_revoke(uid: str, reason: str) -> None:
    """Revoke a credential; the status list and the OB 2.0 assertion reflect it at once."""
    with database(current_app).connect() as connection:
        if _badges().award(connection, uid) is None:
            raise click.ClickException(f"no credential {uid}")
        if not _badges().revoke(connection, uid, reason):
            raise click.ClickException(f"{uid} is already revoked")
    click.echo(f"revoked {uid}: {reason}")


@keys_cli.command("list")
def keys_list() -> None:
    with database(current_app).read() as connection:
        for key in _badges().keys.listing(connection):
            click.echo(f"{_badges().keys.verification_method(key.fragment)}\t{key.status}\t{key.created_at:%Y-%m-%d}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Sign new credentials with a new key; the old one stays in the DID document."""
    with database(current_app).connect() as connection:
        fragment = _badges().keys.rotate(connection)
    click.echo(f"active issuer key is now {_badges().keys.verification_method(fragment)}")


@demo_cli.command("seed")
@click.option("--modules", default=3, show_default=True, help="How many modules the demo learner passes.")
def demo_seed(modules: int) -> None:
    """A demo learner who passes modules through real learning events, earning the passport."""
    from .seed import seed_demo_learner

    uid = seed_demo_learner(current_app, modules)
    factory = _badges().factory
    click.echo(f"passport verification page: {factory.verify_url(uid)}")
    click.echo(f"passport credential:        {factory.credential_url(uid)}")
