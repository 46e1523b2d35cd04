"""gunicorn, embedded: ``passeport serve`` runs the same server as production deployments."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .app import create_app

        return create_app()


def run(host: str, port: int, workers: int, threads: int) -> None:
    # Threads matter: the demo LMS and the tool share a server, and a launch
    # fetches the demo's JWKS from that same server.
    _Gunicorn({"bind": f"{host}:{port}", "workers": workers, "threads": threads,
               "worker_class": "gthread", "accesslog": "-"}).run()
