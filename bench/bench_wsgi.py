"""The portal's WSGI app, wrapped to report each request's cost in response headers.

Used only by bench/http_load.py (``gunicorn --pythonpath bench bench_wsgi:application``):
``X-Bench-Queries`` is the number of SQL statements the request ran and ``X-Bench-CPU-us``
the worker process's CPU time (user + system) it took. Django calls ``start_response``
after the view and the templates have run, so both cover the whole request. A sync
gunicorn worker serves one request at a time, so process CPU is the request's CPU.
"""

import time

from django.core.wsgi import get_wsgi_application
from django.db import connections

django_application = get_wsgi_application()


class _Counter:
    queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


_counter = _Counter()


def application(environ, start_response):
    wrappers = connections["default"].execute_wrappers
    if _counter not in wrappers:
        wrappers.append(_counter)
    _counter.queries = 0
    cpu = time.process_time()

    def reporting_start_response(status, headers, exc_info=None):
        headers.append(("X-Bench-Queries", str(_counter.queries)))
        headers.append(("X-Bench-CPU-us", str(int((time.process_time() - cpu) * 1e6))))
        return start_response(status, headers, exc_info)

    return django_application(environ, reporting_start_response)
