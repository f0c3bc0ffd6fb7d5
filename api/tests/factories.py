import factory

from api.models import ApiToken
from api.services import hash_secret
from helpdesk.accounts.tests.factories import UserFactory


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """``ApiTokenFactory(raw="...")``: a token whose secret the test knows."""

    class Meta:
        model = ApiToken
        exclude = ["raw"]

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"integration {n}")
    raw = factory.Sequence(lambda n: f"test-token-{n:06d}-secret-part")
    prefix = factory.LazyAttribute(lambda t: t.raw[:8])
    hashed_secret = factory.LazyAttribute(lambda t: hash_secret(t.raw))
