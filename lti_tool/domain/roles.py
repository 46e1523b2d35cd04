"""What a person may do in Passeport, from the LTI roles claim."""
from __future__ import annotations

from enum import Enum

_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


class Role(str, Enum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMINISTRATOR = "administrator"


_ADMIN_ROLES = {
    _LIS + "system/person#Administrator",
    _LIS + "system/person#SysAdmin",
    _LIS + "institution/person#Administrator",
    _LIS + "membership#Administrator",
    "Administrator",
}
_INSTRUCTOR_ROLES = {
    _LIS + "membership#Instructor",
    _LIS + "membership#ContentDeveloper",
    _LIS + "membership#Mentor",
    _LIS + "institution/person#Instructor",
    _LIS + "institution/person#Faculty",
    "Instructor",
    "ContentDeveloper",
    "Mentor",
}


def _principal(role: str) -> str:
    """``…membership/Instructor#TeachingAssistant`` is a sub-role of ``…membership#Instructor``."""
    if role.startswith(_LIS + "membership/") and "#" in role:
        principal = role[len(_LIS + "membership/"):].split("#", 1)[0]
        return _LIS + "membership#" + principal
    return role


def classify(roles: list[str]) -> Role:
    """The most capable role found; anyone else (learners, guests, unknown roles) learns."""
    principals = {_principal(r) for r in roles}
    if principals & _ADMIN_ROLES:
        return Role.ADMINISTRATOR
    if principals & _INSTRUCTOR_ROLES:
        return Role.INSTRUCTOR
    return Role.LEARNER


_PLATFORM_ADMIN_ROLES = {
    _LIS + "system/person#Administrator",
    _LIS + "system/person#SysAdmin",
    _LIS + "institution/person#Administrator",
}


def is_platform_administrator(roles: list[str]) -> bool:
    """An institution or system administrator (not a course's): may manage the platforms registered."""
    return bool(set(roles) & _PLATFORM_ADMIN_ROLES)
