"""gunicorn settings for `gunicorn -c deploy/gunicorn.conf.py "lti_tool:create_app()"`.

`passeport serve` uses the same worker model; use this file when a process
manager runs gunicorn directly. Run `passeport db upgrade` before starting.

Request bodies: the application refuses more than 16 MB (LRS), 3 MB (/verify), 2 MB elsewhere,
chunked bodies included. A reverse proxy in front should refuse earlier with the same largest
limit (nginx: `client_max_body_size 16m;`) — see docs/security.md, "Limits".
"""
import multiprocessing
import os

bind = os.environ.get("PASSEPORT_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("PASSEPORT_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("PASSEPORT_THREADS", "4"))
timeout = 30
graceful_timeout = 20
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
