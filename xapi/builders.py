"""Learning events as xAPI statements, built with tincan and corrected where tincan is wrong.

tincan stamps ``version: 1.0.3`` (the LRS sets the version) and serialises naive
datetimes; both are fixed here, so what leaves this module passes strict validation.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta, timezone

from tincan import (Activity, ActivityDefinition, Agent, AgentAccount, Context, ContextActivities, LanguageMap,
                    Result, Score, Statement, Verb)
from tincan.interaction_component import InteractionComponent
from tincan.interaction_component_list import InteractionComponentList

from lti_tool.domain.catalogue import Catalogue, Module
from lti_tool.domain.learning import EventKind, LearningEvent

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
}


@dataclass(frozen=True)
class Learner:
    """Who, in LMS terms: no name or e-mail ever goes into a statement."""

    issuer: str
    sub: str
    course: str | None  # the LMS's context id


def registration(learner: Learner) -> str:
    """One registration per learner × course, the same on every replay."""
    return str(uuid.uuid5(NAMESPACE, f"{learner.issuer}|{learner.course or ''}|{learner.sub}"))


class StatementBuilder:
    def __init__(self, base_url: str, catalogue: Catalogue):
        self.base_url, self.catalogue = base_url, catalogue

    def earned(self, event: LearningEvent, learner: Learner, credential_url: str, achievement_id: str,
               achievement_name: str) -> dict:
        """An award as the Open Badges xAPI profile describes it: earned, a badge, the credential's id."""
        return {
            "id": str(uuid.uuid4()),
            "actor": {"objectType": "Agent", "account": {"homePage": learner.issuer, "name": learner.sub}},
            "verb": {"id": vocab.EARNED, "display": {"fr": "a obtenu", "en": "earned"}},
            "object": {"objectType": "Activity", "id": achievement_id,
                       "definition": {"type": vocab.BADGE, "name": {"fr": achievement_name}}},
            "result": {"extensions": {vocab.BADGE_ASSERTION: {"@id": credential_url}}},
            "context": {"registration": registration(learner), "language": event.locale, "platform": "Passeport",
                        "contextActivities": {"grouping": [{"id": self.base_url}]}},
            "timestamp": event.occurred_at.astimezone(timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }

    def module_iri(self, module: Module) -> str:
        return f"{self.base_url}/modules/{module.id}"

    def build(self, event: LearningEvent, learner: Learner, statement_id: uuid.UUID | None = None) -> dict:
        module = self.catalogue.get(event.module_id)
        statement = Statement(
            id=statement_id or uuid.uuid4(),
            actor=Agent(object_type="Agent", account=AgentAccount(home_page=learner.issuer, name=learner.sub)),
            verb=Verb(id=vocab.verb_id(VERB_FOR[event.kind]), display=LanguageMap(vocab.VERBS[VERB_FOR[event.kind]])),
            object=self._object(event, module),
            context=self._context(event, module, learner),
        )
        result = self._result(event, module)
        if result is not None:
            statement.result = result
        document = statement.as_version("1.0.0")
        document.pop("version", None)
        if event.duration is not None and "result" in document:
            document["result"]["duration"] = _duration(event.duration)
        document["timestamp"] = event.occurred_at.astimezone(timezone.utc).isoformat(timespec="milliseconds") \
            .replace("+00:00", "Z")
        return document

    def _object(self, event: LearningEvent, module: Module) -> Activity:
        kind = event.kind
        if kind is EventKind.SECTION_VIEWED:
            return self._lesson(module, event.section_id)
        if kind is EventKind.QUESTION_ANSWERED:
            return self._question(module, event.question_id)
        if kind is EventKind.QUIZ_SUBMITTED:
            return Activity(id=f"{self.module_iri(module)}/quiz", definition=ActivityDefinition(
                type=vocab.ASSESSMENT, name=LanguageMap({"fr": f"Quiz : {module.title['fr']}",
                                                         "en": f"Quiz: {module.title['en']}"})))
        return self._module(module)

    def _module(self, module: Module) -> Activity:
        return Activity(id=self.module_iri(module), definition=ActivityDefinition(
            type=vocab.MODULE, name=LanguageMap(module.title), description=LanguageMap(module.summary)))

    def _lesson(self, module: Module, section_id: str) -> Activity:
        names = {lang: self.catalogue.section(module, section_id, lang).title for lang in ("fr", "en")}
        return Activity(id=f"{self.module_iri(module)}/sections/{section_id}",
                        definition=ActivityDefinition(type=vocab.LESSON, name=LanguageMap(names)))

    def _question(self, module: Module, question_id: str) -> Activity:
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
        return Activity(id=f"{self.module_iri(module)}/quiz/{question_id}", definition=definition)

    def _context(self, event: LearningEvent, module: Module, learner: Learner) -> Context:
        grouping = [Activity(id=self.base_url, definition=ActivityDefinition(
            type=vocab.PROFILE, name=LanguageMap({"fr": "Passeport pour l'économie numérique",
                                                  "en": "Digital Economy Passport"})))]
        if learner.course:
            course = uuid.uuid5(NAMESPACE, f"{learner.issuer}|{learner.course}")
            grouping.append(Activity(id=f"{self.base_url}/courses/{course}",
                                     definition=ActivityDefinition(type=vocab.COURSE)))
        activities = ContextActivities(grouping=grouping)
        if event.kind in (EventKind.SECTION_VIEWED, EventKind.QUESTION_ANSWERED, EventKind.QUIZ_SUBMITTED):
            activities.parent = [Activity(id=self.module_iri(module))]
        return Context(registration=uuid.UUID(registration(learner)), context_activities=activities,
                       language=event.locale, platform="Passeport")

    def _result(self, event: LearningEvent, module: Module) -> Result | None:
        kind = event.kind
        if kind is EventKind.QUESTION_ANSWERED:
            return Result(success=bool(event.correct), response=_response(event.response))
        if kind is EventKind.MODULE_COMPLETED:
            return Result(completion=True)
        if kind in (EventKind.QUIZ_SUBMITTED, EventKind.MODULE_PASSED, EventKind.MODULE_FAILED):
            result = Result(score=Score(scaled=round(event.score, 4), raw=event.raw, min=0, max=event.maximum),
                            success=event.score >= self.catalogue.passport_rule.pass_mark)
            if kind is EventKind.QUIZ_SUBMITTED:
                result.completion = True
            return result
        return None


def _response(choice_ids) -> str:
    """cmi.interaction response syntax: ``a[,]c`` for choices, ``true``/``false`` for true-false."""
    return "[,]".join(sorted(choice_ids))


def _duration(span: timedelta) -> str:
    """ISO 8601 duration with centisecond precision, as cmi5 asks."""
    return f"PT{round(span.total_seconds(), 2)}S"
