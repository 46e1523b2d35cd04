"""Tables of the embedded LRS, its credentials, the external LRSs and the generic outbox (xapi's own metadata)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .limits import IRI_LENGTH, MEDIA_TYPE_LENGTH
from .sql import Base, utcnow


class XapiBase(Base):
    __abstract__ = True
    metadata = MetaData()


class Statement(XapiBase):
    """A stored statement: the JSON as the LRS returns it, plus the columns queries filter on."""

    __tablename__ = "xapi_statements"
    __table_args__ = (
        Index("ix_xapi_statements_stored", "stored", "id"),
        # Each filter walks its own index newest first and stops at a page; voided statements are never listed.
        Index("ix_xapi_statements_verb", "verb_id", "stored", "id", postgresql_where=text("NOT voided"),
              sqlite_where=text("NOT voided")),
        Index("ix_xapi_statements_registration", "registration", "stored", "id",
              postgresql_where=text("NOT voided"), sqlite_where=text("NOT voided")),
        # Few statements target another one (StatementRef, voiding): queries follow them from this small index,
        # which covers what they read (no heap fetch per referring statement).
        Index("ix_xapi_statements_refs", "object_statement_id", "stored", "id", "voided",
              postgresql_where=text("object_statement_id IS NOT NULL"),
              sqlite_where=text("object_statement_id IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stored: Mapped[datetime]
    timestamp: Mapped[datetime]
    verb_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    registration: Mapped[str | None] = mapped_column(String(36))
    object_statement_id: Mapped[str | None] = mapped_column(String(36))
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    is_voiding: Mapped[bool] = mapped_column(Boolean, default=False)
    authority_key: Mapped[str | None] = mapped_column(String(512))
    document: Mapped[str] = mapped_column(Text)  # the statement JSON, as stored


class StatementActivity(XapiBase):
    """Activities a statement mentions: its object (role 'object') or anywhere else ('related'); and, copied
    with ``origin_id`` set, those its StatementRef target (and that one's target…) mentions, so that a query
    finds the statements referring to a match on the same index (XAPI-00162)."""

    __tablename__ = "xapi_statement_activities"
    __table_args__ = (Index("ix_xapi_statement_activities_lookup", "activity_id", "role", "stored", "statement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("xapi_statements.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    role: Mapped[str] = mapped_column(String(8))
    stored: Mapped[datetime]  # the statement's, so that a page is read off this index in order
    origin_id: Mapped[str | None] = mapped_column(String(36))  # the target mentioning it; NULL: the statement


class StatementAgent(XapiBase):
    """Agents a statement mentions, by inverse functional identifier: actor/object or 'related'; like
    activities, also those its StatementRef targets mention (``origin_id`` set)."""

    __tablename__ = "xapi_statement_agents"
    __table_args__ = (Index("ix_xapi_statement_agents_lookup", "agent_key", "role", "stored", "statement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("xapi_statements.id", ondelete="CASCADE"), index=True)
    agent_key: Mapped[str] = mapped_column(String(IRI_LENGTH))
    role: Mapped[str] = mapped_column(String(8))  # actor | object | related
    stored: Mapped[datetime]  # the statement's, so that a page is read off this index in order
    origin_id: Mapped[str | None] = mapped_column(String(36))  # the target mentioning it; NULL: the statement


class StatementTarget(XapiBase):
    """The verb and registration of each statement a StatementRef leads to (directly or along a chain), on the
    referring statement: statements referring to a match are read off an index like the others (XAPI-00162)."""

    __tablename__ = "xapi_statement_targets"
    __table_args__ = (
        Index("ix_xapi_statement_targets_verb", "verb_id", "stored", "statement_id"),
        Index("ix_xapi_statement_targets_registration", "registration", "stored", "statement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("xapi_statements.id", ondelete="CASCADE"), index=True)
    origin_id: Mapped[str] = mapped_column(String(36))  # the target
    verb_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    registration: Mapped[str | None] = mapped_column(String(36))
    stored: Mapped[datetime]  # the referring statement's


class Activity(XapiBase):
    """The latest definition seen for each activity (the Activities resource)."""

    __tablename__ = "xapi_activities"

    id: Mapped[str] = mapped_column(String(IRI_LENGTH), primary_key=True)
    definition: Mapped[dict | None] = mapped_column(JSON)


class Attachment(XapiBase):
    """Attachment content by SHA-2 hash; statements reference it from their attachments list."""

    __tablename__ = "xapi_attachments"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(MEDIA_TYPE_LENGTH))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Document(XapiBase):
    """State, Activity Profile and Agent Profile documents ('' where a key part does not apply)."""

    __tablename__ = "xapi_documents"
    __table_args__ = (UniqueConstraint("kind", "activity_id", "agent_key", "registration", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # state | activity_profile | agent_profile
    activity_id: Mapped[str] = mapped_column(String(IRI_LENGTH), default="")
    agent_key: Mapped[str] = mapped_column(String(IRI_LENGTH), default="")
    registration: Mapped[str] = mapped_column(String(36), default="")
    document_id: Mapped[str] = mapped_column(String(IRI_LENGTH))
    content_type: Mapped[str] = mapped_column(String(MEDIA_TYPE_LENGTH))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str] = mapped_column(String(64))
    updated: Mapped[datetime] = mapped_column(default=utcnow)


class Credential(XapiBase):
    """An HTTP Basic key/secret pair; only a SHA-256 of the (random, 256-bit) secret is kept."""

    __tablename__ = "xapi_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class Endpoint(XapiBase):
    """An external LRS that receives a copy of every statement (optionally one platform's only)."""

    __tablename__ = "xapi_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    url: Mapped[str] = mapped_column(String(2048))
    username: Mapped[str | None] = mapped_column(String(255))
    password: Mapped[str | None] = mapped_column(String(255))
    platform_issuer: Mapped[str | None] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEntry(XapiBase):
    """One item to deliver to one destination: pending → delivered, or dead after too many failures.

    Generic: ``kind`` names the consumer that delivers it (e.g. ``xapi-statement``), ``destination``
    where it goes (an external LRS's name, an LMS gradebook…), ``item_id`` what (a statement id…);
    each item reaches each destination once."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("kind", "destination", "item_id"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    destination: Mapped[str] = mapped_column(String(255))
    item_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
