"""factory-boy factories for the domain (reference data comes from load_reference_data)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from rehab.models import User

TEST_PASSWORD = "test-lösenord-123"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.se")
    password = factory.django.Password(TEST_PASSWORD)
