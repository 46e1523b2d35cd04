"""``passeport badges …``: awards, revocation, the issuer's keys."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .. import services
from ..models import Award

badges_cli = AppGroup("badges", help="Open Badges credentials: list, revoke, issuer keys.")
keys_cli = AppGroup("keys", help="The issuer's Ed25519 keys (did:web).")
badges_cli.add_command(keys_cli)


@badges_cli.command("list")
def badges_list() -> None:
    """Every award: id, kind, module, learner, state."""
    with services.database().read() as connection:
        for a in connection.execute(select(Award.__table__).order_by(Award.__table__.c.id)):
            state = f"revoked {a.revoked_at:%Y-%m-%d}: {a.revocation_reason}" if a.revoked_at else "valid"
            click.echo(f"{a.uid}\t{a.kind}\t{a.module_id or '-'}\tuser={a.user_id}\t{state}")


@badges_cli.command("revoke")
@click.argument("uid")
@click.option("--reason", required=True, help="Shown on the verification page.")
def badges_revoke(uid: str, reason: str) -> None:
    """Revoke a credential; the status list and the OB 2.0 assertion reflect it at once."""
    with services.database().begin() as connection:
        if services.badges().award(connection, uid) is None:
            raise click.ClickException(f"no credential {uid}")
        if not services.badges().revoke(connection, services.learning(), uid, reason):
            raise click.ClickException(f"{uid} is already revoked")
    click.echo(f"revoked {uid}: {reason}")


@keys_cli.command("list")
def keys_list() -> None:
    with services.database().read() as connection:
        for key in services.badges().keys.listing(connection):
            click.echo(f"{services.badges().keys.verification_method(key.fragment)}\t{key.status}\t{key.created_at:%Y-%m-%d}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Sign new credentials with a new key; the old one stays in the DID document."""
    with services.database().begin() as connection:
        fragment = services.badges().keys.rotate(connection)
    click.echo(f"active issuer key is now {services.badges().keys.verification_method(fragment)}")
