"""Persistent state of the tool (SQLAlchemy 2 declarative models)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xapi.sql import Base as SharedBase
from xapi.sql import utcnow


class Base(SharedBase):
    """The tool's tables: the shared base (UTC-aware datetimes), the tool's own metadata."""

    __abstract__ = True
    metadata = MetaData()


class Platform(Base):
    """An LMS registration: one (issuer, client id) pair."""

    __tablename__ = "platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    jwks_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )


class Deployment(Base):
    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    platform: Mapped[Platform] = relationship(back_populates="deployments")


class ToolKey(Base):
    """An RSA key the tool signs with; retired keys stay published until removed."""

    __tablename__ = "tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | retired
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


class User(Base):
    """A person as a platform knows them (LTI ``sub``); name and e-mail only if sent."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_launch_at: Mapped[datetime] = mapped_column(default=utcnow)


class Context(Base):
    """A course (LTI context) on a platform."""

    __tablename__ = "contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    label: Mapped[str | None] = mapped_column(String(255))


class ResourceLink(Base):
    """A placement of the tool in a course, pointing at a module or at the catalogue."""

    __tablename__ = "resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    context_id: Mapped[int | None] = mapped_column(ForeignKey("contexts.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    module_id: Mapped[str | None] = mapped_column(String(100))


class Membership(Base):
    """A user's roles in a course, as of their latest launch."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "context_id"),
                      Index("ix_memberships_context_role", "context_id", "role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    context_id: Mapped[int] = mapped_column(ForeignKey("contexts.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # learner | instructor | administrator
    roles: Mapped[list] = mapped_column(JSON)  # the LTI role URIs as sent
    first_launch_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_launch_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship()


class LaunchState(Base):
    """Short-lived LTI protocol data shared by every worker: nonces, OIDC state, launch data."""

    __tablename__ = "lti_launch_state"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[dict | list | str | bool | None] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Progress(Base):
    """The progress projection: one row per learner × module, derived from learning events."""

    __tablename__ = "progress"
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(String(100))
    context_id: Mapped[int | None] = mapped_column(ForeignKey("contexts.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    sections_viewed: Mapped[list] = mapped_column(JSON, default=lambda: [])
    last_section_id: Mapped[str | None] = mapped_column(String(100))
    best_score: Mapped[float | None]
    attempts: Mapped[int] = mapped_column(default=0)
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    time_spent_seconds: Mapped[int] = mapped_column(default=0, server_default="0")  # gaps ≤ ACTIVE_GAP summed
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    passed_at: Mapped[datetime | None]


class QuizAttempt(Base):
    """One draw of questions for one learner; answered once, then closed."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(String(100))
    question_ids: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | submitted
    answers: Mapped[dict | None] = mapped_column(JSON)
    score: Mapped[float | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]


class QuestionMiss(Base):
    """Aggregate for trainers: how often each question was answered wrong in a course."""

    __tablename__ = "question_misses"
    __table_args__ = (UniqueConstraint("context_id", "module_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("contexts.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    misses: Mapped[int] = mapped_column(default=0)


class BadgeKey(Base):
    """An issuer Ed25519 key: the public half here, the private half in a file under instance/."""

    __tablename__ = "badge_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    fragment: Mapped[str] = mapped_column(String(64), unique=True)  # the DID URL fragment: did:web:…#<fragment>
    public_multibase: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | retired
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Award(Base):
    """A credential earned by a learner: one per passed module, one passport; never twice.

    Its ``id`` is also its position in the revocation status list."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("user_id", "kind", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)  # public id in URLs and the credential id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # module | passport
    module_id: Mapped[str] = mapped_column(String(100), default="")  # "" for the passport
    context_id: Mapped[int | None] = mapped_column(ForeignKey("contexts.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
    credential: Mapped[dict | None] = mapped_column(JSON)  # the signed OB 3.0 credential (Data Integrity)
    credential_jwt: Mapped[str | None] = mapped_column(Text)  # the same credential as VC-JWT
    holder_name: Mapped[str | None] = mapped_column(String(255))  # only with the holder's consent
    email_hash: Mapped[str | None] = mapped_column(String(100))
    email_salt: Mapped[str | None] = mapped_column(String(64))
    company_name: Mapped[str | None] = mapped_column(String(255))
    company_siren: Mapped[str | None] = mapped_column(String(9))
    company_created_on: Mapped[date | None]
    published_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(Text)
