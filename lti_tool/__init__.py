"""Passeport: the LTI 1.3 tool. ``create_app`` is the Flask application factory (lti_tool.app)."""
from __future__ import annotations

from .app import create_app, prepare
from .services import database

__all__ = ["create_app", "database", "prepare"]
