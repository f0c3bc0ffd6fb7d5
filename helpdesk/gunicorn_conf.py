"""Gunicorn settings (``gunicorn -c python:helpdesk.gunicorn_conf``; dev.py uses them).

Gunicorn caps the request line and headers (it answers "400 Bad Request" naming the
limit, e.g. "Request Line is too large"); the body is capped by Django
(``REQUEST_MAX_BYTES``, ``helpdesk/request_limits.py``), which answers with a page in the
user's language.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# A request line (method, path, query) of at most 8 KiB, at most 100 headers of 8 KiB each.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# A worker busy longer than this is restarted (uploads of 100 MB on slow links included).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
accesslog = "-"
