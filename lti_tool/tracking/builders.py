"""Domain events as xAPI statements.

The fixed parts — verbs and the catalogue's activities with their definitions — are
built once with tincan's model; each event then assembles plain dicts around them
(building a whole statement with tincan costs about ten times as much). The LRS sets
the version, and timestamps are written in UTC with milliseconds.
"""
from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta

from tincan import Activity, ActivityDefinition, LanguageMap, Verb
from tincan.interaction_component import InteractionComponent
from tincan.interaction_component_list import InteractionComponentList

from ..badges.addresses import ISSUER_NAME, PASSPORT, BadgeAddresses
from ..domain.catalogue import Catalogue, Module
from ..domain.learning import EventKind, Learner, LearningEvent
from . import vocabulary as vocab

NAMESPACE = uuid.UUID("6f0e3a5e-8a47-4f2b-9a59-2c1e6a0c9b51")  # Passeport's uuid5 namespace, fixed forever
VERB_FOR = {
    EventKind.MODULE_LAUNCHED: "launched",
    EventKind.MODULE_OPENED: "initialized",
    EventKind.SECTION_VIEWED: "experienced",
    EventKind.QUESTION_ANSWERED: "answered",
    EventKind.QUIZ_SUBMITTED: "completed",
    EventKind.MODULE_COMPLETED: "completed",
    EventKind.MODULE_PASSED: "passed",
    EventKind.MODULE_FAILED: "failed",
    EventKind.MODULE_SUSPENDED: "suspended",
    EventKind.MODULE_TERMINATED: "terminated",
}


def course_key(issuer: str, course: str) -> str:
    """A course's public id: the LMS's context id never leaves the tool."""
    return str(uuid.uuid5(NAMESPACE, f"{issuer}|{course}"))


def registration(learner: Learner) -> str:
    """One registration per learner × course, the same on every replay."""
    return str(uuid.uuid5(NAMESPACE, f"{learner.issuer}|{learner.course or ''}|{learner.sub}"))


def _built_once(build):
    """Per builder and arguments, the part is built on first use and then shared (callers never mutate it)."""
    @functools.wraps(build)
    def cached(self, *args):
        key = (build.__name__, *args)
        part = self._parts.get(key)
        if part is None:
            part = self._parts[key] = build(self, *args)
        return part
    return cached


class StatementBuilder:
    """Who is the event's learner, in LMS terms only: no name or e-mail ever goes into a statement."""

    def __init__(self, base_url: str, catalogue: Catalogue):
        self.base_url, self.catalogue = base_url, catalogue
        self._parts: dict[tuple, dict] = {}
        self.badges = BadgeAddresses(base_url)

    def course_iri(self, learner: Learner) -> str:
        return f"{self.base_url}/courses/{course_key(learner.issuer, learner.course or '')}"

    def module_iri(self, module: Module) -> str:
        return f"{self.base_url}/modules/{module.id}"

    def build(self, event: LearningEvent, statement_id: uuid.UUID | None = None) -> dict:
        if event.kind.about_credential:
            return self._credential(event, statement_id or uuid.uuid4())
        module = self.catalogue.module(event.module_id)
        learner = event.learner
        document = {
            "id": str(statement_id or uuid.uuid4()),
            "actor": {"objectType": "Agent", "account": {"homePage": learner.issuer, "name": learner.sub}},
            "verb": self._verb(event.kind),
            "object": self._object(event, module),
            "context": self._context(event, module, learner),
            "timestamp": _timestamp(event.occurred_at),
        }
        result = self._result(event)
        if result is not None:
            if event.duration is not None:
                result["duration"] = _duration(event.duration)
            document["result"] = result
        return document

    @_built_once
    def _verb(self, kind: EventKind) -> dict:
        name = VERB_FOR[kind]
        return _document(Verb(id=vocab.verb_id(name), display=LanguageMap(vocab.VERBS[name])))

    def _credential(self, event: LearningEvent, statement_id: uuid.UUID) -> dict:
        """A credential's fate, as the Open Badges xAPI profile describes earning: a badge, the credential's id."""
        module = self.catalogue.get(event.module_id) if event.module_id else None
        verb = {
            EventKind.CREDENTIAL_EARNED: {"id": vocab.EARNED, "display": {"fr": "a obtenu", "en": "earned"}},
            EventKind.CREDENTIAL_REVOKED: {"id": self.base_url + vocab.REVOKED,
                                           "display": {"fr": "s'est vu retirer", "en": "had revoked"}},
            EventKind.CREDENTIAL_REINSTATED: {"id": self.base_url + vocab.REINSTATED,
                                              "display": {"fr": "a retrouvé", "en": "had reinstated"}},
        }[event.kind]
        assert event.award_uid is not None
        result: dict = {"extensions": {vocab.BADGE_ASSERTION: {"@id": self.badges.credential_url(event.award_uid)}}}
        if event.reason:
            result["response"] = event.reason
        if event.note:
            result["extensions"][self.base_url + vocab.PRIVATE_NOTE] = event.note
        if event.decided_by:
            result["extensions"][self.base_url + vocab.DECIDED_BY] = event.decided_by
        return {
            "id": str(statement_id),
            "actor": {"objectType": "Agent", "account": {"homePage": event.learner.issuer, "name": event.learner.sub}},
            "verb": verb,
            "object": {"objectType": "Activity", "id": self.badges.achievement_url(module.id if module else PASSPORT),
                       "definition": {"type": vocab.BADGE,
                                      "name": {"fr": module.title["fr"] if module else ISSUER_NAME}}},
            "result": result,
            "context": {"registration": registration(event.learner), "language": event.locale,
                        "platform": "Passeport", "contextActivities": {"grouping": [
                            {"id": self.base_url}, *([{"id": self.course_iri(event.learner)}]
                                                     if event.learner.course else [])]}},
            "timestamp": _timestamp(event.occurred_at),
        }

    def _object(self, event: LearningEvent, module: Module) -> dict:
        kind = event.kind
        if kind is EventKind.SECTION_VIEWED and event.section_id:
            return self._lesson(module.id, event.section_id)
        if kind is EventKind.QUESTION_ANSWERED and event.question_id:
            return self._question(module.id, event.question_id)
        if kind is EventKind.QUIZ_SUBMITTED:
            return self._quiz(module.id)
        return self._module(module.id)

    # The activities are the catalogue's, which does not change while serving: each is built once.

    @_built_once
    def _module(self, module_id: str) -> dict:
        module = self.catalogue.module(module_id)
        return _document(Activity(id=self.module_iri(module), definition=ActivityDefinition(
            type=vocab.MODULE, name=LanguageMap(module.title), description=LanguageMap(module.summary))))

    @_built_once
    def _quiz(self, module_id: str) -> dict:
        module = self.catalogue.module(module_id)
        return _document(Activity(id=f"{self.module_iri(module)}/quiz", definition=ActivityDefinition(
            type=vocab.ASSESSMENT, name=LanguageMap({"fr": f"Quiz : {module.title['fr']}",
                                                     "en": f"Quiz: {module.title['en']}"}))))

    @_built_once
    def _lesson(self, module_id: str, section_id: str) -> dict:
        module = self.catalogue.module(module_id)
        sections = {lang: self.catalogue.section(module, section_id, lang) for lang in ("fr", "en")}
        names = {lang: section.title for lang, section in sections.items() if section}
        return _document(Activity(id=f"{self.module_iri(module)}/sections/{section_id}",
                                  definition=ActivityDefinition(type=vocab.LESSON, name=LanguageMap(names))))

    @_built_once
    def _question(self, module_id: str, question_id: str) -> dict:
        module = self.catalogue.module(module_id)
        versions = {lang: self.catalogue.quiz(module.folder, lang)[question_id] for lang in ("fr", "en")}
        question = versions["fr"]
        definition = ActivityDefinition(
            type=vocab.INTERACTION, description=LanguageMap({lang: q["prompt"] for lang, q in versions.items()}),
            interaction_type="true-false" if question["type"] == "true_false" else "choice",
            correct_responses_pattern=[_response(c["id"] for c in question["choices"] if c.get("correct"))],
        )
        if question["type"] != "true_false":
            definition.choices = InteractionComponentList([
                InteractionComponent(id=choice["id"], description=LanguageMap(
                    {lang: versions[lang]["choices"][i]["text"] for lang in versions}))
                for i, choice in enumerate(question["choices"])])
        return _document(Activity(id=f"{self.module_iri(module)}/quiz/{question_id}", definition=definition))

    @_built_once
    def _profile(self) -> dict:
        return _document(Activity(id=self.base_url, definition=ActivityDefinition(
            type=vocab.PROFILE, name=LanguageMap({"fr": "Passeport pour l'économie numérique",
                                                  "en": "Digital Economy Passport"}))))

    def _context(self, event: LearningEvent, module: Module, learner: Learner) -> dict:
        grouping = [self._profile()]
        if learner.course:
            grouping.append({"objectType": "Activity", "id": self.course_iri(learner),
                             "definition": {"type": vocab.COURSE}})
        activities: dict = {"grouping": grouping}
        if event.kind in (EventKind.SECTION_VIEWED, EventKind.QUESTION_ANSWERED, EventKind.QUIZ_SUBMITTED):
            activities["parent"] = [{"objectType": "Activity", "id": self.module_iri(module)}]
        context = {"registration": registration(learner), "contextActivities": activities,
                   "language": event.locale, "platform": "Passeport"}
        if event.attempt_id is not None:
            context["extensions"] = {self.base_url + vocab.ATTEMPT: event.attempt_id}
        return context

    def _result(self, event: LearningEvent) -> dict | None:
        kind = event.kind
        if kind is EventKind.QUESTION_ANSWERED:
            return {"success": bool(event.correct), "response": _response(event.response)}
        if kind is EventKind.MODULE_COMPLETED:
            return {"completion": True}
        if kind in (EventKind.QUIZ_SUBMITTED, EventKind.MODULE_PASSED, EventKind.MODULE_FAILED) \
                and event.score is not None:
            score = {"scaled": round(event.score, 4), "raw": event.raw, "min": 0, "max": event.maximum}
            result: dict = {"score": {k: float(v) for k, v in score.items() if v is not None},
                            "success": event.score >= self.catalogue.passport_rule.pass_mark}
            if kind is EventKind.QUIZ_SUBMITTED:
                result["completion"] = True
            return result
        return None


def _document(part) -> dict:
    """A tincan object as xAPI JSON, built once (tincan costs ~10× a plain dict per statement)."""
    return part.as_version("1.0.0")


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _response(choice_ids) -> str:
    """cmi.interaction response syntax: ``a[,]c`` for choices, ``true``/``false`` for true-false."""
    return "[,]".join(sorted(choice_ids))


def _duration(span: timedelta) -> str:
    """ISO 8601 duration with centisecond precision, as cmi5 asks."""
    return f"PT{round(span.total_seconds(), 2)}S"
