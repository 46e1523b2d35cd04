"""Platform public keys, fetched from their JWKS URL with a timeout and cached per process.

A stale cache cannot accept a bad token (an unknown ``kid`` triggers one refetch),
so the cache need not be shared between workers.
"""
from __future__ import annotations

import threading
import time

import jwt
import requests

from .errors import LaunchError, unauthorized

MIN_REFETCH_SECONDS = 5.0  # an unknown kid cannot make us hammer the platform


class PlatformKeyCache:
    def __init__(self, timeout: float = 5.0, max_age: float = 3600.0):
        self.timeout, self.max_age = timeout, max_age
        self.http = requests.Session()
        self._entries: dict[str, tuple[float, dict[str, jwt.PyJWK]]] = {}
        self._lock = threading.Lock()

    def key(self, jwks_url: str, kid: str | None) -> jwt.PyJWK:
        if not kid:
            raise unauthorized(
                "missing_kid",
                "L'en-tête du jeton ne contient pas d'identifiant de clé (kid).",
                "The token header has no key id (kid).",
            )
        fetched_at, keys = self._entries.get(jwks_url, (0.0, {}))
        age = time.monotonic() - fetched_at
        if kid not in keys or age > self.max_age:
            if age > MIN_REFETCH_SECONDS or not keys:
                keys = self._fetch(jwks_url)
        if kid not in keys:
            raise unauthorized(
                "unknown_kid",
                f"La clé « {kid} » ne figure pas dans le JWKS de la plateforme ({jwks_url}).",
                f"Key '{kid}' is not in the platform's JWKS ({jwks_url}).",
            )
        return keys[kid]

    def _fetch(self, jwks_url: str) -> dict[str, jwt.PyJWK]:
        try:
            response = self.http.get(jwks_url, timeout=self.timeout)
            response.raise_for_status()
            key_set = jwt.PyJWKSet.from_dict(response.json())
        except (requests.RequestException, ValueError, jwt.PyJWKSetError) as error:
            raise LaunchError(
                400,
                "jwks_unavailable",
                f"Impossible d'obtenir les clés publiques de la plateforme ({jwks_url}) : {error}",
                f"Could not get the platform's public keys ({jwks_url}): {error}",
            ) from error
        keys = {k.key_id: k for k in key_set.keys if k.key_id}
        with self._lock:
            self._entries[jwks_url] = (time.monotonic(), keys)
        return keys
