"""Statement attachments over multipart/mixed, checked against their declared SHA-2 hashes."""
from __future__ import annotations

import hashlib
import json
import uuid

from .protocol import XapiError, XapiRequest, multipart_parts

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def read_multipart(xreq: XapiRequest) -> tuple[object, dict[str, tuple[str, bytes]]]:
    """The statement part and the attachment parts, by hash."""
    parts = multipart_parts(xreq)
    headers, first = parts[0]
    if not headers.get("content-type", "").startswith("application/json"):
        raise XapiError(400, "the first part of a multipart/mixed request must be application/json")
    try:
        statements = json.loads(first)
    except ValueError as error:
        raise XapiError(400, f"the statement part is not valid JSON: {error}") from error
    attachments = {}
    for headers, content in parts[1:]:
        declared = headers.get("x-experience-api-hash")
        if not declared:
            raise XapiError(400, "every attachment part needs an X-Experience-API-Hash header")
        if headers.get("content-transfer-encoding", "binary").lower() != "binary":
            raise XapiError(400, "attachment parts must use Content-Transfer-Encoding: binary")
        if _sha(declared, content) != declared.lower():
            raise XapiError(400, f"attachment content does not match its hash {declared}")
        attachments[declared.lower()] = (headers.get("content-type", "application/octet-stream"), content)
    return statements, attachments


def _sha(declared: str, content: bytes) -> str:
    algorithm = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}.get(len(declared))
    if algorithm is None:
        raise XapiError(400, f"{declared} is not a SHA-256, SHA-384 or SHA-512 hex digest")
    return algorithm(content).hexdigest()


def match_attachments(statements: list[dict], attachments: dict) -> None:
    """Every attachment without a fileUrl is sent as a part, and every part is declared (statements validated)."""
    declared = set()
    for statement in statements:
        for attachment in statement.get("attachments", []):
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            if "fileUrl" not in attachment and sha2 not in attachments:
                raise XapiError(400, f"attachment {sha2} has no fileUrl and was not sent as a part")
    extra = set(attachments) - declared
    if extra:
        raise XapiError(400, f"attachment part(s) not declared by any statement: {', '.join(sorted(extra))}")


def write_multipart(body, attachments: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
              json.dumps(body, ensure_ascii=False).encode(), b"\r\n"]
    for sha2, (content_type, content) in attachments.items():
        chunks += [f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                   f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode(), content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"
