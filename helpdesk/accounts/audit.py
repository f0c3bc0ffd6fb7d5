"""The audit log's view of a request: who acted, from which address.

django-auditlog's own middleware takes the first ``X-Forwarded-For`` entry, which any
client can write; the log records the connection's address instead
(``REMOTE_ADDR``, which the trusted-proxy setup is responsible for).
"""

from auditlog.middleware import AuditlogMiddleware


class AuditMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        return request.META.get("REMOTE_ADDR")
