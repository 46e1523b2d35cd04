"""What a trainer sees of one course: the learners × modules grid, a learner's detail, the course's figures.

Everything here reads the progress projection and the aggregates the learning
events maintain (progress, question misses, awards), never the statements, so
a page costs a few indexed queries whatever the course's history. The course's
learners are ``roster(context_id)``: today the learners who launched; members
known from the platform's roster service are one more ``union`` there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, case, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from xapi.sql import utcnow

from ..models import Award, Membership, Progress, QuestionMiss, QuizAttempt, User
from .catalogue import Catalogue
from .learning import Status
from .quiz import correct_choices
from .roles import Role

FILTERS = ("all", "not_started", "stuck", "passed", "passport")
SORTS = ("name", "last_activity", "passed")
PER_PAGE = 25


class BadQuery(ValueError):
    """A grid request naming an unknown filter or sort, or a page or day count out of range."""


@dataclass(frozen=True)
class GridQuery:
    filter: str = "all"
    search: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE
    stuck_days: int = 14  # "stuck": no activity for this many days on a begun module, or 2+ failed attempts

    def __post_init__(self):
        if self.filter not in FILTERS:
            raise BadQuery(f"filter must be one of {', '.join(FILTERS)}")
        if self.sort not in SORTS:
            raise BadQuery(f"sort must be one of {', '.join(SORTS)}")
        if self.page < 1 or not 1 <= self.per_page <= 500:
            raise BadQuery("page starts at 1; 1 to 500 learners per page")
        if not 1 <= self.stuck_days <= 365:
            raise BadQuery("stuck days: 1 to 365")
        if "\x00" in self.search:  # no keyboard types one; PostgreSQL cannot compare one, SQLite would match nothing
            raise BadQuery("the search holds a NUL character")


@dataclass(frozen=True)
class Cell:
    """A learner's progress on one module, as the grid shows it."""

    status: str
    sections_read: int
    best_score: float | None
    attempts: int
    time_spent_seconds: int
    last_activity_at: datetime


CELL_COLUMNS = (Progress.status, func.json_array_length(Progress.sections_viewed), Progress.best_score,
                Progress.attempts, Progress.time_spent_seconds, Progress.last_activity_at)


@dataclass
class LearnerRow:
    user_id: int
    name: str
    passed: int
    last_activity: datetime | None
    passport: bool
    stuck: bool
    cells: dict[str, Cell] = field(default_factory=dict)  # by module id (absent: not started)


@dataclass
class Grid:
    rows: list[LearnerRow]
    total: int
    query: GridQuery

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def roster(context_id: int | ColumnElement[int]) -> Select:
    """The course's learners' user ids. Members from the platform's roster service join here (a ``union``)."""
    return select(Membership.user_id.label("user_id")).where(
        Membership.context_id == context_id, Membership.role == Role.LEARNER.value)


_LEARNER_NAME = select(func.coalesce(User.name, User.sub)).where(
    User.id == bindparam("user_id"), User.id.in_(roster(bindparam("context_id", type_=Integer))))


def learner_name(connection: Connection, context_id: int, user_id: int) -> str | None:
    """The learner's name; None when they are not a learner of the course."""
    return connection.execute(_LEARNER_NAME, {"user_id": user_id, "context_id": context_id}).scalar()


def _summaries(context_id: int | ColumnElement[int], stuck_before: datetime | ColumnElement[datetime]):
    """One row per learner of the course: name, modules passed, last activity, passport, stuck.
    Takes values or ``bindparam``s (the grid builds its statements once, with parameters)."""
    members = roster(context_id).subquery()
    begun = Progress.status.in_([Status.IN_PROGRESS.value, Status.COMPLETED.value, Status.FAILED.value])
    passport = aliased(Award)  # joined, not EXISTS: PostgreSQL would hash every passport of every course
    last_activity = func.max(case((Progress.status != Status.NOT_STARTED.value, Progress.last_activity_at)))
    started = func.count(case((Progress.status != Status.NOT_STARTED.value, 1)))
    unfinished = func.count(case((begun, 1)))
    failing = func.count(case((and_(Progress.status != Status.PASSED.value, Progress.failed_attempts >= 2), 1)))
    return (select(User.id.label("user_id"), func.coalesce(User.name, User.sub).label("name"),
                   func.count(case((Progress.status == Status.PASSED.value, 1))).label("passed"),
                   last_activity.label("last_activity"), started.label("started"),
                   or_(failing > 0, and_(unfinished > 0, last_activity < stuck_before)).label("stuck"),
                   func.max(passport.id).is_not(None).label("passport"))
            .select_from(members).join(User, User.id == members.c.user_id)
            .outerjoin(passport, and_(passport.user_id == User.id, passport.kind == "passport",
                                      passport.revoked_at.is_(None)))
            .outerjoin(Progress, Progress.user_id == User.id)
            .group_by(User.id, User.name, User.sub)).subquery()


@lru_cache(maxsize=128)
def _grid_page(filter_: str, searched: bool, sort: str, descending: bool, paginate: bool) -> Select:
    """The grid's learners query for one shape of request, built once: building it costs more than running it.
    Parameters: context_id, stuck_before, and search (escaped for LIKE with ``/``), limit, offset when used."""
    learners = _summaries(bindparam("context_id", type_=Integer), bindparam("stuck_before"))
    conditions = {"all": True, "not_started": learners.c.started == 0, "stuck": learners.c.stuck,
                  "passed": learners.c.passed > 0, "passport": learners.c.passport}
    page = select(learners, func.count().over().label("total")).where(conditions[filter_])
    if searched:
        page = page.where(func.lower(learners.c.name).contains(bindparam("search"), escape="/"))
    key = {"name": func.lower(learners.c.name), "last_activity": learners.c.last_activity,
           "passed": learners.c.passed}[sort]
    page = page.order_by(key.desc().nulls_last() if descending else key.asc().nulls_first(), learners.c.user_id)
    if paginate:
        page = page.limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))
    return page


_CELLS = select(Progress.user_id, Progress.module_id, *CELL_COLUMNS).where(
    Progress.user_id.in_(bindparam("user_ids", expanding=True)))


def _like_escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def grid(connection: Connection, context_id: int, query: GridQuery, now: datetime | None = None,
         paginate: bool = True) -> Grid:
    """A page of the course's learners (filtered, searched, sorted) with their progress per module."""
    search = query.search.strip().lower()
    parameters: dict = {"context_id": context_id,
                        "stuck_before": (now or utcnow()) - timedelta(days=query.stuck_days)}
    if search:
        parameters["search"] = _like_escaped(search)
    if paginate:
        parameters.update(limit=query.per_page, offset=(query.page - 1) * query.per_page)
    found = connection.execute(_grid_page(query.filter, bool(search), query.sort, query.descending, paginate),
                               parameters).all()
    rows = {r.user_id: LearnerRow(r.user_id, r.name, r.passed, r.last_activity, bool(r.passport), bool(r.stuck))
            for r in found}
    if rows:
        for user_id, module_id, *cell in connection.execute(_CELLS, {"user_ids": list(rows)}):
            rows[user_id].cells[module_id] = Cell(*cell)
    return Grid(list(rows.values()), found[0].total if found else 0, query)


@dataclass
class ModuleDetail:
    module_id: str
    progress: dict | None
    attempts: list[dict]  # submitted attempts, oldest first: id, score, started_at, submitted_at, missed


_PROGRESS = select(Progress).where(Progress.user_id == bindparam("user_id"))
_SUBMITTED = select(QuizAttempt).where(QuizAttempt.user_id == bindparam("user_id"),
                                       QuizAttempt.status == "submitted").order_by(QuizAttempt.id)
_AWARDS = select(Award.uid, Award.kind, Award.module_id, Award.awarded_at, Award.revoked_at).where(
    Award.user_id == bindparam("user_id")).order_by(Award.id)


def learner_detail(connection: Connection, catalogue: Catalogue, user_id: int, locale: str) -> list[ModuleDetail]:
    """Every module's progress and submitted attempts, each with the questions missed, for one learner."""
    progress = {row["module_id"]: dict(row) for row in connection.execute(
        _PROGRESS, {"user_id": user_id}).mappings()}
    attempts: dict[str, list[dict]] = {}
    for attempt in connection.execute(_SUBMITTED, {"user_id": user_id}).mappings():
        module = catalogue.get(attempt["module_id"])
        if module is None:
            continue
        bank = catalogue.quiz(module.folder, locale)
        answers = attempt["answers"] or {}
        missed = [(q, bank[q]["prompt"]) for q in attempt["question_ids"]  # questions since removed are skipped
                  if q in bank and set(answers.get(q, ())) != set(correct_choices(bank[q]))]
        attempts.setdefault(module.id, []).append(
            {"id": attempt["id"], "score": attempt["score"], "started_at": attempt["started_at"],
             "submitted_at": attempt["submitted_at"], "missed": missed})
    return [ModuleDetail(m.id, progress.get(m.id), attempts.get(m.id, [])) for m in catalogue.modules]


def learner_awards(connection: Connection, user_id: int) -> list[dict]:
    return [dict(row) for row in connection.execute(_AWARDS, {"user_id": user_id}).mappings()]


@dataclass
class ModuleFigures:
    module_id: str
    started: int
    completed: int
    passed: int
    learners: int

    def rate(self, count: int) -> float:
        return count / self.learners if self.learners else 0.0


BUCKETS = 10  # score distribution: 0–9 %, 10–19 %, …, 90–100 %


def course_figures(connection: Connection, catalogue: Catalogue, context_id: int,
                   module_id: str | None = None) -> tuple[list[ModuleFigures], list[int]]:
    """Per module: learners who started, completed (every section read) and passed; and the
    distribution of best scores (one per learner × module tried, or of one module) in 10 buckets."""
    members = roster(context_id).subquery()
    learners = connection.execute(select(func.count()).select_from(members)).scalar_one()
    started = Progress.status != Status.NOT_STARTED.value
    counts = {r.module_id: r for r in connection.execute(
        select(Progress.module_id, func.count(case((started, 1))).label("started"),
               func.count(Progress.completed_at).label("completed"),
               func.count(Progress.passed_at).label("passed"))
        .join(members, members.c.user_id == Progress.user_id).group_by(Progress.module_id))}
    figures = []
    for module in catalogue.modules:
        row = counts.get(module.id)
        figures.append(ModuleFigures(module.id, row.started if row else 0, row.completed if row else 0,
                                     row.passed if row else 0, learners))
    scores = select(Progress.best_score).join(members, members.c.user_id == Progress.user_id) \
        .where(Progress.best_score.is_not(None))
    if module_id:
        scores = scores.where(Progress.module_id == module_id)
    distribution = [0] * BUCKETS
    for score in connection.execute(scores).scalars():
        assert score is not None
        distribution[min(int(score * BUCKETS), BUCKETS - 1)] += 1
    return figures, distribution


def most_missed(connection: Connection, catalogue: Catalogue, context_id: int, locale: str,
                limit: int = 10) -> list[dict]:
    """The questions answered wrong most often in the course, with their module and prompt."""
    rows = connection.execute(select(QuestionMiss.module_id, QuestionMiss.question_id, QuestionMiss.misses)
                              .where(QuestionMiss.context_id == context_id)
                              .order_by(QuestionMiss.misses.desc(), QuestionMiss.module_id,
                                        QuestionMiss.question_id).limit(limit))
    missed = []
    for row in rows:
        module = catalogue.get(row.module_id)
        question = catalogue.quiz(module.folder, locale).get(row.question_id) if module else None
        missed.append({"module_id": row.module_id, "question_id": row.question_id, "misses": row.misses,
                       "prompt": question["prompt"] if question else row.question_id})
    return missed


def course_attempts(connection: Connection, context_id: int) -> list[dict]:
    """Every submitted attempt of the course's learners, for the export."""
    members = roster(context_id).subquery()
    return [dict(r) for r in connection.execute(
        select(func.coalesce(User.name, User.sub).label("name"), QuizAttempt.module_id, QuizAttempt.id,
               QuizAttempt.score, QuizAttempt.started_at, QuizAttempt.submitted_at)
        .join(members, members.c.user_id == QuizAttempt.user_id).join(User, User.id == QuizAttempt.user_id)
        .where(QuizAttempt.status == "submitted")
        .order_by(func.lower(func.coalesce(User.name, User.sub)), QuizAttempt.id)).mappings()]
