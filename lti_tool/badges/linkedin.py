"""LinkedIn's "add a certification" link for a credential: its certificate URL is the verification page."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from .addresses import ISSUER_NAME


def add_to_profile_url(credential: dict, verify_url: str, uid: str) -> str:
    issued = datetime.fromisoformat(str(credential["validFrom"]).replace("Z", "+00:00"))
    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": credential.get("name", ""), "organizationName": ISSUER_NAME,
        "issueYear": issued.year, "issueMonth": issued.month, "certUrl": verify_url, "certId": uid})
