"""The demo LMS as an lti1p3platform platform: its key, its registration of the tool, its configuration."""
from __future__ import annotations

import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.registration import Registration

from .. import services
from ..config import write_private
from .accounts import CLIENT_ID, DEPLOYMENT_ID, issuer


class _PlatformKey:
    """The demo platform's RSA key, generated once under instance/ and parsed once per process."""

    _lock = threading.Lock()

    def __init__(self, path: Path):
        with self._lock:
            if not path.exists():
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                write_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
        pem = path.read_bytes()
        self.private_key = serialization.load_pem_private_key(pem, None)
        self.private_pem = pem.decode()
        self.public_pem = self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.jwk = Registration.get_jwk(self.public_pem)


def platform_key() -> _PlatformKey:
    running = services.services()
    key = running.demo_platform_key
    if key is None:
        key = running.demo_platform_key = _PlatformKey(
            Path(current_app.config["INSTANCE_PATH"]) / "demo-platform-key.pem")
    return key


class _DemoRegistration(Registration):
    """Signs with the parsed key object: lti1p3platform re-parses the PEM on every signature."""

    def __init__(self, key: _PlatformKey):
        super().__init__()
        self._key = key

    def get_kid(self):
        return self._key.jwk["kid"]

    def platform_encode_and_sign(self, payload, expiration=None):
        return Registration.encode_and_sign(payload, self._key.private_key, {"kid": self.get_kid()}, expiration)


class _DemoPlatformConfig(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs) -> None:
        self.app = kwargs["app"]

    def get_registration_by_params(self, **kwargs) -> Registration:
        base, key = self.app.config["BASE_URL"], platform_key()
        return (
            _DemoRegistration(key)
            .set_iss(issuer(self.app))
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(base + "/lti/login")
            .set_launch_url(base + "/lti/launch")
            .set_deeplink_launch_url(base + "/lti/launch")
            .set_platform_public_key(key.public_pem)
            .set_platform_private_key(key.private_pem)
            .set_tool_key_set_url(base + "/.well-known/jwks.json")
        )


def demo_config() -> _DemoPlatformConfig:
    """The demo platform's configuration, its registration loaded (what the service endpoints validate with)."""
    configured = config()
    configured.get_registration()
    return configured


def config() -> _DemoPlatformConfig:
    return _DemoPlatformConfig(app=current_app._get_current_object())  # type: ignore[attr-defined]  # the proxied app
