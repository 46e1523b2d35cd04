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


class ItemResponse(Base):
    """One answer to one quiz question, indexed beside its ``answered`` statement (same transaction, rebuilt by
    replay) so item statistics are SQL aggregates; ``rest_score`` is filled when the attempt is submitted."""

    __tablename__ = "item_responses"
    # covering the statistics' two GROUP BYs: index-only scans, already in group order
    __table_args__ = (Index("ix_item_responses_item", "module_id", "question_id", "response", "correct",
                            "rest_score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    context_id: Mapped[int | None] = mapped_column(ForeignKey("contexts.id", ondelete="SET NULL"))
    module_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    response: Mapped[str] = mapped_column(String(200))  # the statement's: choice ids joined by "[,]"
    correct: Mapped[int]  # 0 or 1: summed and multiplied in SQL
    rest_score: Mapped[float | None]  # the attempt's scaled score on its other questions
    answered_at: Mapped[datetime]


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
    revocation_reason: Mapped[str | None] = mapped_column(Text)  # public: one of the listed reasons
    revocation_note: Mapped[str | None] = mapped_column(Text)  # private: staff only, never published
    revoked_by: Mapped[str | None] = mapped_column(String(255))  # who revoked or reinstated last


class IssuerProfile(Base):
    """Who issues, as the operator configured it (``passeport issuer set``); one row."""

    __tablename__ = "issuer_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(1000))
    email: Mapped[str | None] = mapped_column(String(320))
    image_url: Mapped[str | None] = mapped_column(String(1000))


class StatusListCache(Base):
    """A signed status list credential, re-signed when a status changes or before it expires."""

    __tablename__ = "status_lists"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[dict] = mapped_column(JSON)  # JSON-LD with its Data Integrity proof
    token: Mapped[str] = mapped_column(Text)  # the same list as a VC-JWT
    valid_until: Mapped[datetime]
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)



class CourseServices(Base):
    """The LTI Advantage service endpoints a course's launches announced, and its cached roster (NRPS)."""

    __tablename__ = "lti_course_services"
    __table_args__ = (UniqueConstraint("context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    context_id: Mapped[int] = mapped_column(ForeignKey("contexts.id", ondelete="CASCADE"))
    memberships_url: Mapped[str | None] = mapped_column(String(1000))
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    ags_scopes: Mapped[list] = mapped_column(JSON, default=lambda: [])
    roster: Mapped[list | None] = mapped_column(JSON)  # the members the platform listed, as fetched
    roster_fetched_at: Mapped[datetime | None]


class GradeTarget(Base):
    """Where a placement's scores go: the line item its launches named (or found/created later)."""

    __tablename__ = "lti_grade_targets"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    context_id: Mapped[int | None] = mapped_column(ForeignKey("contexts.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[str] = mapped_column(String(255))
    module_id: Mapped[str] = mapped_column(String(100))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceToken(Base):
    """An OAuth 2 access token for a platform's services, per scope set, kept until it expires:
    every worker shares it."""

    __tablename__ = "lti_service_tokens"
    __table_args__ = (UniqueConstraint("platform_id", "scopes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    scopes: Mapped[str] = mapped_column(String(1000))  # sorted, space-separated
    access_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]


class DemoActivity(Base):
    """Demo LMS: an activity in its course — a module placed by deep linking, with its gradebook column
    (line item); line items the tool creates through AGS are activities too."""

    __tablename__ = "demo_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(100))  # the line item's resourceId
    label: Mapped[str] = mapped_column(String(500))
    tag: Mapped[str | None] = mapped_column(String(100))
    score_maximum: Mapped[float | None]  # None: placed without a gradebook column
    due_at: Mapped[datetime | None]
    placed: Mapped[bool] = mapped_column(default=False)  # placed by deep linking (launchable), not only a column
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DemoScore(Base):
    """Demo LMS gradebook: the latest score the tool sent for a person and an activity."""

    __tablename__ = "demo_scores"
    __table_args__ = (UniqueConstraint("activity_id", "user_sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("demo_activities.id", ondelete="CASCADE"))
    user_sub: Mapped[str] = mapped_column(String(255))
    score_given: Mapped[float | None]
    score_maximum: Mapped[float | None]
    activity_progress: Mapped[str] = mapped_column(String(32))
    grading_progress: Mapped[str] = mapped_column(String(32))
    timestamp: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
