"""The public, stable URLs of credentials and achievements (printed on certificates, named in statements)."""
from __future__ import annotations

from ..domain.awards import PASSPORT  # the passport's achievement id; modules use their own id

ISSUER_NAME = "Passeport pour l'économie numérique"
__all__ = ["ISSUER_NAME", "PASSPORT", "BadgeAddresses"]


class BadgeAddresses:
    def __init__(self, base_url: str):
        self.base_url = base_url

    def credential_url(self, uid: str) -> str:
        return f"{self.base_url}/credentials/{uid}"

    def verify_url(self, uid: str) -> str:
        return f"{self.base_url}/verify/{uid}"

    def achievement_url(self, achievement_id: str) -> str:
        return f"{self.base_url}/badges/achievements/{achievement_id}"

    def image_url(self, achievement_id: str) -> str:
        return f"{self.base_url}/badges/images/{achievement_id}.png"

    @property
    def status_list_url(self) -> str:
        return f"{self.base_url}/badges/status/revocation"
