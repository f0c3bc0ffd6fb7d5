"""The third-party mail fixtures (fixtures/NOTICE.md) and our reading of each."""

import json
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Where our policy differs from a fixture's source expectation (inbound/README.md):
# client signatures are stripped (email_reply_parser's convention, not talon's).
REPLY_TEXT_POLICY = {
    "talon__iphone.eml": "Hello",
    "talon__sparrow.eml": "Hello",
}
# User-visible files we keep, where the manifest has no number or counts differently.
ATTACHMENTS_POLICY = {
    "flanker__signed.eml": 0,  # the S/MIME signature is not a customer's file
    "rt__russian-subject-no-content-type.eml": 0,  # RT counts the body as an attachment
    # Machine mail (never imported): the returned or reported message is one .eml file.
    "webklex__example_bounce.eml": 1,
    "rt__multipart-report.eml": 1,
    "flanker__bounce_zed.eml": 1,
    "flanker__bounce_office365.eml": 1,
    "flanker__bounce_delayed.eml": 1,
    "flanker__disposition-notification.eml": 1,
    "flanker__complaint_aol.eml": 1,
}
# The fixtures without a From header cannot open a ticket (no requester): parked.
NO_SENDER = {"phpmimemailparser__issue212.eml", "webklex__attachment_encoded_filename.eml"}


@cache
def manifest():
    return {e["file"]: e for e in json.loads((FIXTURES / "manifest.json").read_text())["entries"]}


@cache
def header_signals():
    return json.loads((FIXTURES / "header_signals.json").read_text())


def raw(name):
    return (FIXTURES / name).read_bytes()


def rfc822_names():
    return sorted(n for n, e in manifest().items() if e["kind"].startswith("rfc822"))


def expected_machine(name):
    """(is_auto_reply, is_bounce) as the manifest says, with our reading where it has
    none: the Polish "Automatyczna odpowiedź" subject is an auto-reply."""
    hd = manifest()[name]["helpdesk"]
    auto = hd["is_auto_reply"] if isinstance(hd["is_auto_reply"], bool) else True
    return auto, hd["is_bounce"]


def expected_attachments(name):
    if name in ATTACHMENTS_POLICY:
        return ATTACHMENTS_POLICY[name]
    return manifest()[name].get("attachments_expected")


def creates_ticket(name):
    """True: a ticket (new, or a reply); False: ignored machine mail; None: parked."""
    if name in NO_SENDER:
        return None
    auto, bounce = expected_machine(name)
    return not (auto or bounce)
