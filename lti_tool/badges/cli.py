"""``passeport badges …``: awards, revocation, the issuer's keys."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .. import services
from ..domain.awards import REVOCATION_REASONS
from ..domain.people import learner_of
from ..models import Award
from .credentials import IssuerProfileView

CLI = "cli"  # who decided, for revocations made from the command line

badges_cli = AppGroup("badges", help="Open Badges credentials: list, revoke, issuer keys.")
keys_cli = AppGroup("keys", help="The issuer's Ed25519 keys (did:web).")
badges_cli.add_command(keys_cli)
issuer_cli = AppGroup("issuer", help="Who issues the credentials, as shown on each of them and on every page.")


@badges_cli.command("list")
def badges_list() -> None:
    """Every award: id, kind, module, learner, state."""
    with services.database().read() as connection:
        for a in connection.execute(select(Award.__table__).order_by(Award.__table__.c.id)):
            state = (f"revoked {a.revoked_at:%Y-%m-%d}: {a.revocation_reason} "
                     f"({a.revocation_note or '-'}, by {a.revoked_by})") if a.revoked_at else "valid"
            click.echo(f"{a.uid}\t{a.kind}\t{a.module_id or '-'}\tuser={a.user_id}\t{state}")


@badges_cli.command("revoke")
@click.argument("uid")
@click.option("--reason", required=True, type=click.Choice(REVOCATION_REASONS),
              help="The public reason, shown on the verification page.")
@click.option("--note", default=None, help="A private note for staff; never published.")
def badges_revoke(uid: str, reason: str, note: str | None) -> None:
    """Revoke any credential (any platform); the status list and the OB 2.0 assertion reflect it at once."""
    with services.database().begin() as connection:
        if services.badges().award(connection, uid) is None:
            raise click.ClickException(f"no credential {uid}")
        if not services.badges().revoke(connection, services.learning(), uid, reason, note, CLI):
            raise click.ClickException(f"{uid} is already revoked")
    click.echo(f"revoked {uid}: {reason}")


@badges_cli.command("reinstate")
@click.argument("uid")
@click.option("--note", required=True, help="Why the revocation is undone (kept private).")
def badges_reinstate(uid: str, note: str) -> None:
    """Undo a revocation; recorded with who (the CLI) and why."""
    with services.database().begin() as connection:
        if services.badges().award(connection, uid) is None:
            raise click.ClickException(f"no credential {uid}")
        if not services.badges().reinstate(connection, services.learning(), uid, note, CLI):
            raise click.ClickException(f"{uid} is not revoked")
    click.echo(f"reinstated {uid}")


@badges_cli.command("resign")
def badges_resign() -> None:
    """Re-sign every credential from what is stored now (after `passeport issuer set`, or to replace the
    holder identifiers of credentials signed before they were keyed); ids and statuses stay."""
    with services.database().begin() as connection:
        awards = connection.execute(select(Award.__table__).order_by(Award.__table__.c.id)).all()
        for award in awards:
            services.badges().issue(connection, award.uid, learner_of(connection, award.user_id, award.context_id))
    click.echo(f"re-signed {len(awards)} credentials")


@badges_cli.command("status-list")
def badges_status_list() -> None:
    """Re-sign the revocation status list now (a status change does it by itself; run this from cron
    at least every few days so the served list never nears its validUntil)."""
    with services.database().begin() as connection:
        kept = services.badges().sign_status_list(connection)
    click.echo(f"status list signed, valid until {kept.valid_until:%Y-%m-%d %H:%M} UTC")


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


@issuer_cli.command("set")
@click.option("--name", required=True, help="The issuing organisation's name.")
@click.option("--url", default=None, help="Its public web site (https://…).")
@click.option("--email", default=None, help="A contact address for verifiers.")
@click.option("--image", default=None, help="The URL of its logo.")
def issuer_set(name: str, url: str | None, email: str | None, image: str | None) -> None:
    """Set the issuer profile; credentials signed from now on carry it (earlier ones keep theirs)."""
    for label, value in (("--url", url), ("--image", image)):
        if value and not value.startswith(("https://", "http://")):
            raise click.BadParameter(f"{value!r} is not an http(s) URL", param_hint=label)
    if email and "@" not in email:
        raise click.BadParameter(f"{email!r} is not an e-mail address", param_hint="--email")
    with services.database().begin() as connection:
        services.badges().set_issuer_profile(connection, IssuerProfileView(name.strip(), url, email, image))
    click.echo(f"issuer: {name}")


@issuer_cli.command("show")
def issuer_show() -> None:
    with services.database().read() as connection:
        profile = services.badges().issuer_profile(connection)
    click.echo(f"name: {profile.name}\nurl: {profile.url or '-'}\nemail: {profile.email or '-'}\n"
               f"image: {profile.image_url or '-'}")
