"""The application's services, built and wired once per app, reached through typed accessors.

Every accessor takes the app, or uses the current one: ``database()``,
``catalogue()``, ``learning()``… The learning-event listeners are declared here,
in one place: statements first, the item-response index beside them, then credential signing, then scores for
the LMS gradebook.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from xapi.forwarding import KIND as STATEMENT_DELIVERY
from xapi.forwarding import StatementDelivery
from xapi.lrs import Lrs
from xapi.outbox import Outbox
from xapi.sealing import Sealer

from .badges.credentials import CredentialFactory
from .badges.issuer_keys import IssuerKeys
from .badges.service import Badges
from .badges.verification import Verifier
from .db import Database
from .domain.attempts import Attempts
from .domain.catalogue import Catalogue
from .domain.item_stats import ItemResponseIndex
from .domain.learning import Learning, each
from .domain.offers import OfferCatalogue
from .lti.advantage import SCORE_DELIVERY, Advantage
from .lti.platform_keys import PlatformKeyCache
from .lti.tool_keys import KeyRing
from .lti.toolconf import PlatformRegistry
from .tracking.builders import StatementBuilder
from .tracking.statements import StatementWriter

_KEY = "passeport"


@dataclass
class Services:
    database: Database
    tool_keys: KeyRing
    registry: PlatformRegistry
    platform_keys: PlatformKeyCache
    catalogue: Catalogue
    learning: Learning
    attempts: Attempts
    lrs: Lrs
    statements: StatementWriter
    outbox: Outbox
    badges: Badges
    verifier: Verifier
    offers: OfferCatalogue
    advantage: Advantage
    demo_platform_key: Any = None  # loaded on the demo LMS's first use
    demo_registration_token: str | None = None  # while the demo LMS registers the tool


def install(app: Flask) -> Services:
    """Build every service from the app's configuration and attach them to the app."""
    config = app.config
    database = Database(config["DATABASE_URL"])
    catalogue = Catalogue(config["CONTENT_ROOT"])
    sealer = Sealer(config["ENCRYPTION_KEY"] or config["SECRET_KEY"])
    lrs = Lrs(database, config["BASE_URL"], secret=config["SECRET_KEY"], sealer=sealer)
    statements = StatementWriter(lrs, StatementBuilder(config["BASE_URL"], catalogue))
    issuer_keys = IssuerKeys(Path(config["INSTANCE_PATH"]) / "badge-keys", config["BASE_URL"])
    badges = Badges(catalogue, CredentialFactory(config["BASE_URL"], catalogue, issuer_keys,
                                                 config["SECRET_KEY"].encode()), issuer_keys)
    tool_keys = KeyRing()
    advantage = Advantage(database, tool_keys, timeout=config["HTTP_TIMEOUT"])
    learning = Learning(catalogue, listeners=(statements, ItemResponseIndex(), each(badges.on_event),
                                                  advantage.on_events))
    outbox = Outbox(database)
    outbox.register(STATEMENT_DELIVERY, StatementDelivery(timeout=outbox.policy.timeout, sealer=sealer))
    outbox.register(SCORE_DELIVERY, advantage.deliver_scores)
    services = Services(
        database=database, tool_keys=tool_keys, registry=PlatformRegistry(database),
        platform_keys=PlatformKeyCache(timeout=config["HTTP_TIMEOUT"], max_age=config["JWKS_CACHE_SECONDS"]),
        catalogue=catalogue, learning=learning, attempts=Attempts(catalogue, learning), lrs=lrs,
        statements=statements, outbox=outbox, badges=badges, verifier=Verifier(issuer_keys),
        offers=OfferCatalogue(catalogue.root / "offers.yaml", {m.id for m in catalogue.modules},
                              {m.id: m.title for m in catalogue.modules}),
        advantage=advantage,
    )
    app.extensions[_KEY] = services
    return services


def services(app: Flask | None = None) -> Services:
    return (app or current_app).extensions[_KEY]


def database(app: Flask | None = None) -> Database:
    return services(app).database


def registry(app: Flask | None = None) -> PlatformRegistry:
    return services(app).registry


def catalogue(app: Flask | None = None) -> Catalogue:
    return services(app).catalogue


def learning(app: Flask | None = None) -> Learning:
    return services(app).learning


def attempts(app: Flask | None = None) -> Attempts:
    return services(app).attempts


def lrs(app: Flask | None = None) -> Lrs:
    return services(app).lrs


def outbox(app: Flask | None = None) -> Outbox:
    return services(app).outbox


def badges(app: Flask | None = None) -> Badges:
    return services(app).badges


def verifier(app: Flask | None = None) -> Verifier:
    return services(app).verifier


def offers(app: Flask | None = None) -> OfferCatalogue:
    return services(app).offers


def advantage(app: Flask | None = None) -> Advantage:
    return services(app).advantage


def tool_keys(app: Flask | None = None) -> KeyRing:
    return services(app).tool_keys


def platform_keys(app: Flask | None = None) -> PlatformKeyCache:
    return services(app).platform_keys
