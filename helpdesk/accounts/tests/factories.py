import factory

from helpdesk.accounts.models import Organisation, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = User.Role.CUSTOMER
    password = factory.django.Password("secret-pass-123")


class EngineerFactory(UserFactory):
    organisation = None
    role = User.Role.ENGINEER
    support_level = User.Level.L1
