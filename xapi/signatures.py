"""Signed statements: a JWS attachment whose payload is the statement itself."""
from __future__ import annotations

import base64
import json

import jwt
from cryptography import x509

from .attachments import SIGNATURE
from .protocol import XapiError
from .store import equivalent

ALGORITHMS = ("RS256", "RS384", "RS512")


def check_signatures(statements: list[dict], attachments: dict[str, tuple[str, bytes]]) -> None:
    for statement in statements:
        for attachment in statement.get("attachments", []):
            if attachment.get("usageType") == SIGNATURE:
                _check(statement, attachment, attachments)


def _check(statement: dict, attachment: dict, attachments: dict) -> None:
    if attachment.get("contentType") != "application/octet-stream":
        raise XapiError(400, "a signature attachment has contentType application/octet-stream")
    sent = attachments.get(str(attachment.get("sha2", "")).lower())
    if sent is None:
        raise XapiError(400, "the signature attachment was not sent")
    token = sent[1].decode("ascii", "replace").strip()
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in ALGORITHMS:
            raise XapiError(400, f"signature algorithm {header.get('alg')} is not RS256, RS384 or RS512")
        key = _certificate_key(header)
        payload = jwt.api_jws.decode_complete(token, key=key, algorithms=list(ALGORITHMS),
                                              options={"verify_signature": key is not None})["payload"]
        signed = json.loads(payload)
    except XapiError:
        raise
    except (jwt.InvalidTokenError, ValueError) as error:
        raise XapiError(400, f"the signature is not a valid JWS: {error}") from error
    original = {k: v for k, v in statement.items() if k != "attachments"}
    signed = {k: v for k, v in signed.items() if k != "attachments"} if isinstance(signed, dict) else {}
    if not equivalent(original, signed):
        raise XapiError(400, "the signed payload does not match the statement")


def _certificate_key(header: dict):
    """The public key of the first x5c certificate, when the signer sent one."""
    chain = header.get("x5c")
    if not chain:
        return None
    certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
    return certificate.public_key()
