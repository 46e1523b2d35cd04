"""Names and Role Provisioning Services 2.0: a course's members, every page."""
from __future__ import annotations

import requests

from .service_http import ServiceError, TokenSource, call, json_of

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 200  # a loop guard: a platform whose "next" never ends


def members(http: requests.Session, tokens: TokenSource, memberships_url: str, timeout: float,
            rlid: str | None = None) -> list[dict]:
    """Every member the service lists (following ``Link: rel="next"``), narrowed to a placement by ``rlid``."""
    found: list[dict] = []
    url: str | None = memberships_url
    params = {"rlid": rlid} if rlid else None
    for _page in range(MAX_PAGES):
        if url is None:
            return found
        response = call(http, tokens, [SCOPE], "GET", url, timeout, params=params, headers={"Accept": MEDIA_TYPE})
        page = json_of(response, "membership service")
        listed = page.get("members") if isinstance(page, dict) else None
        if not isinstance(listed, list):
            raise ServiceError("the membership service answered without a members list", permanent=True)
        found.extend(m for m in listed if isinstance(m, dict) and m.get("user_id"))
        url, params = response.links.get("next", {}).get("url"), None
    raise ServiceError(f"the membership service still had pages after {MAX_PAGES}", permanent=True)
