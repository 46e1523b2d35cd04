"""Agent identity: one comparable key per inverse functional identifier."""
from __future__ import annotations

import hashlib


def agent_key(agent: dict | None) -> str | None:
    """``mbox`` and its ``mbox_sha1sum`` give the same key, so either finds the other."""
    if not agent:
        return None
    if agent.get("mbox"):
        return "mbox_sha1sum:" + hashlib.sha1(agent["mbox"].encode()).hexdigest()
    if agent.get("mbox_sha1sum"):
        return "mbox_sha1sum:" + agent["mbox_sha1sum"].lower()
    if agent.get("openid"):
        return "openid:" + agent["openid"]
    account = agent.get("account")
    if account:
        return f"account:{account.get('homePage')}|{account.get('name')}"
    return None


def identifier_only(agent: dict) -> dict:
    """The agent reduced to its objectType and identifier (the ``ids`` statement format)."""
    reduced = {"objectType": agent.get("objectType", "Agent")}
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            reduced[ifi] = agent[ifi]
    if "member" in agent and not any(ifi in agent for ifi in ("mbox", "mbox_sha1sum", "openid", "account")):
        reduced["member"] = [identifier_only(m) for m in agent["member"]]
    return reduced
