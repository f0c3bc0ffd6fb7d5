import pytest

from knowledgebase.search import engine


@pytest.fixture(autouse=True)
def _fresh_kb_counts(settings):
    """Article counts are cached in Redis; a test must not see another test's.
    Suggestions are rate-limited; tests other than the rate-limit test must not trip it."""
    settings.RATELIMITS = {**settings.RATELIMITS, "kb_suggest": "10000/m", "kb_search": "10000/m"}
    for code in ("ru", "pl", "en"):
        engine.forget_document_count(code)
    yield
    for code in ("ru", "pl", "en"):
        engine.forget_document_count(code)
