"""Loaded into the integration worker only (``celery worker --include``, see
``tests/conftest.py::it_worker``); never part of the product.

Between transactional tests pytest-django flushes every table, ``django_content_type``
included, and recreates the content types under new ids. The worker outlives the
tests, so its ``ContentType`` cache would keep ids that no longer exist, and anything
it writes that names a content type (the audit log of a user or organisation it opens
from mail) would fail its foreign key. A production database never renumbers its
content types, so the cache is dropped before every task here, not in the product.
"""

from celery.signals import task_prerun


@task_prerun.connect(weak=False)
def _forget_content_types(**_kwargs):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
