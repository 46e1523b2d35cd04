"""Deep Linking 2.0: what the platform's request allows, and the signed response naming the chosen modules."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from .ags import line_item
from .launch import CLAIM, DL_CLAIM

RESOURCE_LINK = "ltiResourceLink"
RESPONSE_LIFETIME = 600


@dataclass(frozen=True)
class Settings:
    """The ``deep_linking_settings`` claim, as much of it as Passeport honours."""

    return_url: str
    accept_types: tuple[str, ...]
    accept_multiple: bool
    accept_lineitem: bool
    data: str | None
    title: str | None

    @classmethod
    def from_claim(cls, claim: dict) -> Settings:
        return cls(return_url=str(claim.get("deep_link_return_url") or ""),
                   accept_types=tuple(claim.get("accept_types") or ()),
                   accept_multiple=claim.get("accept_multiple") is not False,
                   accept_lineitem=claim.get("accept_lineitem") is not False,
                   data=claim.get("data"), title=claim.get("title"))


@dataclass(frozen=True)
class Choice:
    module_id: str
    title: str
    summary: str
    due: datetime | None = None


def content_item(choice: Choice, launch_url: str, settings: Settings) -> dict:
    """An ``ltiResourceLink`` to the module, with its line item when the platform takes them."""
    item: dict[str, Any] = {"type": RESOURCE_LINK, "title": choice.title, "text": choice.summary, "url": launch_url,
                            "custom": {"module": choice.module_id}}
    if settings.accept_lineitem:
        item["lineItem"] = line_item(choice.module_id, choice.title)
    if choice.due is not None:
        item["submission"] = {"endDateTime": choice.due.isoformat()}
    return item


def response_jwt(settings: Settings, items: list[dict], *, client_id: str, issuer: str, deployment_id: str,
                 kid: str, private_key: Any) -> str:
    """The ``LtiDeepLinkingResponse`` JWT: from the tool (``iss`` = its client id) to the platform (``aud``)."""
    now = int(time.time())
    message = {"iss": client_id, "aud": issuer, "azp": client_id, "iat": now, "exp": now + RESPONSE_LIFETIME,
               "nonce": uuid.uuid4().hex, CLAIM + "deployment_id": deployment_id,
               CLAIM + "message_type": "LtiDeepLinkingResponse", CLAIM + "version": "1.3.0",
               DL_CLAIM + "content_items": items}
    if settings.data is not None:
        message[DL_CLAIM + "data"] = settings.data
    return jwt.encode(message, private_key, algorithm="RS256", headers={"kid": kid})
