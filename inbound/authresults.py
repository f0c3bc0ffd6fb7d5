"""What our own mail server says about a message's sender (RFC 8601
``Authentication-Results``, parsed with the ``authres`` library).

* Only the **topmost** header (``INBOUND_AUTH_RESULTS_HEADER``) whose authserv-id is
  ``INBOUND_TRUSTED_AUTHSERV_ID`` counts: our server puts its header on top; anything
  below came with the message and may be forged.
* Without a trusted id nothing can be *verified*; only failures are believed, from any
  such header (a forger can claim a pass, not undo our server's fail).
* *Failed*: ``dmarc=fail``; without a DMARC result, ``spf=fail`` or a ``dkim=fail``
  with no passing signature. ``dmarc=pass`` outweighs an SPF failure (a forwarder).
* *Verified*: ``dmarc=pass``, or a DKIM pass or SPF pass for a domain aligned with the
  From address (the same domain or one's subdomain of the other).
"""

from dataclasses import dataclass, field

import authres
from django.conf import settings


@dataclass(frozen=True)
class Authentication:
    failed: str = ""  # "dmarc", "spf" or "dkim": what failed at our server; "" when nothing did
    verified: bool = False  # our server vouches for the From domain
    dkim_domains: frozenset = field(default_factory=frozenset)  # header.d of passing signatures


def aligned(domain, other):
    domain, other = (domain or "").lower().strip("."), (other or "").lower().strip(".")
    if not domain or not other:
        return False
    shorter = min(domain, other, key=len)
    if domain != other and "." not in shorter:  # nobody signs for a top-level domain
        return False
    return domain == other or domain.endswith("." + other) or other.endswith("." + domain)


def _parse(value):
    try:
        return authres.AuthenticationResultsHeader.parse_value(value)
    except Exception:  # noqa: BLE001 - any malformed header means "no verdict from it"
        return None


def _property(result, ptype, name):
    for prop in result.properties or ():
        if prop.type == ptype and prop.name == name:
            return str(prop.value or "").rpartition("@")[2].lower()
    return ""


def _results(values):
    trusted = (settings.INBOUND_TRUSTED_AUTHSERV_ID or "").strip().lower()
    headers = [h for h in (_parse(v) for v in values) if h is not None]
    if not trusted:
        return [r for h in headers for r in h.results], False
    for header in headers:
        if str(header.authserv_id).strip().lower() == trusted:
            return list(header.results), True
    return [], True


def authentication(values, from_address):
    """An ``Authentication`` for a message's Authentication-Results ``values`` (top
    first) and its From address."""
    results, trusted = _results(values)
    from_domain = from_address.rpartition("@")[2].lower()
    by_method = {}
    for result in results:
        by_method.setdefault(str(result.method).lower(), []).append(result)
    verdicts = {m: {str(r.result).lower() for r in rs} for m, rs in by_method.items()}
    dkim_pass = frozenset(
        _property(r, "header", "d") for r in by_method.get("dkim", []) if str(r.result).lower() == "pass"
    ) - {""}
    failed = ""
    dmarc = verdicts.get("dmarc", set())
    if "fail" in dmarc:
        failed = "dmarc"
    elif "pass" not in dmarc:
        if "fail" in verdicts.get("spf", set()):
            failed = "spf"
        elif "fail" in verdicts.get("dkim", set()) and "pass" not in verdicts.get("dkim", set()):
            failed = "dkim"
    verified = False
    if trusted and not failed:
        dmarc_pass = [r for r in by_method.get("dmarc", []) if str(r.result).lower() == "pass"]
        spf_pass = [r for r in by_method.get("spf", []) if str(r.result).lower() == "pass"]
        verified = (
            any(aligned(_property(r, "header", "from") or from_domain, from_domain) for r in dmarc_pass)
            or any(aligned(d, from_domain) for d in dkim_pass)
            or any(aligned(_property(r, "smtp", "mailfrom"), from_domain) for r in spf_pass)
        )
    return Authentication(failed=failed, verified=verified, dkim_domains=dkim_pass if trusted else frozenset())
