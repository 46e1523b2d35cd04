"""The tool's front page: what it is and where to start."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    return render_template("home.html", demo=current_app.config["DEMO"])
