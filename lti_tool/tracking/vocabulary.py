"""The verbs and activity types Passeport's statements use (ADL vocabulary, cmi5-aligned)."""

ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"

VERBS = {
    "launched": {"fr": "a lancé", "en": "launched"},
    "initialized": {"fr": "a commencé", "en": "initialized"},
    "experienced": {"fr": "a consulté", "en": "experienced"},
    "answered": {"fr": "a répondu", "en": "answered"},
    "completed": {"fr": "a terminé", "en": "completed"},
    "passed": {"fr": "a réussi", "en": "passed"},
    "failed": {"fr": "a échoué", "en": "failed"},
    "suspended": {"fr": "a mis en pause", "en": "suspended"},
    "terminated": {"fr": "a quitté", "en": "terminated"},
}

MODULE = ADL_ACTIVITY + "module"
LESSON = ADL_ACTIVITY + "lesson"
ASSESSMENT = ADL_ACTIVITY + "assessment"
INTERACTION = ADL_ACTIVITY + "cmi.interaction"
COURSE = ADL_ACTIVITY + "course"
PROFILE = ADL_ACTIVITY + "profile"


def verb_id(name: str) -> str:
    return ADL_VERB + name

# The Open Badges xAPI profile: earning a badge
EARNED = "https://w3id.org/xapi/openbadges/verbs/earned"
BADGE = "https://w3id.org/xapi/openbadges/activity-types/badge"
BADGE_ASSERTION = "https://w3id.org/xapi/openbadges/extensions/badgeassertion"

# Passeport's own verbs for what the Open Badges profile leaves out, under the tool's URL
REVOKED = "/vocabulary/verbs/revoked"
REINSTATED = "/vocabulary/verbs/reinstated"
# The quiz attempt an answer or a score belongs to (context extension, value: the attempt's number)
ATTEMPT = "/vocabulary/extensions/attempt"

# who revoked or reinstated, and the staff's private note (the LRS is not public; the note never leaves it)
DECIDED_BY = "/vocabulary/extensions/decided-by"
PRIVATE_NOTE = "/vocabulary/extensions/private-note"
