"""Fixtures of the end-to-end mail tests: the private dovecot mailbox and the SMTP sink."""

import pytest

from .test_imap_fetch import dovecot  # noqa: F401 - the fixture ``server`` asks for


@pytest.fixture
def server(dovecot):  # noqa: F811 - the imported fixture
    """The private dovecot mailbox, empty before and after the test."""
    dovecot.empty()
    yield dovecot
    dovecot.empty()


@pytest.fixture
def sink(it_smtp):
    """What the real SMTP listener received during the test."""
    it_smtp.recorder.clear()
    yield it_smtp.recorder
    it_smtp.recorder.clear()
