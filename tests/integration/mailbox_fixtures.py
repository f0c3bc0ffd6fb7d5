"""The worker's environment for an end-to-end mail test module:
``_worker_env = worker_env(WORKER_ENV)`` (the ``server`` and ``sink`` fixtures are in
this folder's conftest)."""

import os

import pytest


def worker_env(values):
    """A module-scoped autouse fixture that puts ``values`` into the environment before
    ``it_worker`` starts (autouse fixtures of a scope come first) and restores it after."""

    @pytest.fixture(scope="module", autouse=True)
    def _worker_env():
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        yield
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    return _worker_env
