"""Factories for the few things personas do not cover."""

import datetime

import factory

from openimi.accounts.models import Membership, Role, RoleGrant, User
from openimi.directory.models import Authority, AuthorityArea, AuthorityStatus, CoordinatorFunction
from openimi.directory.search import index_authority


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@authority.example")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        skip_postgeneration_save = True

    official_name = factory.Sequence(lambda n: f"Authority number {n}")
    official_language_id = "en"
    country_id = "FR"
    city = "Lyon"
    status = AuthorityStatus.ACTIVE
    email = factory.Sequence(lambda n: f"office{n}@authority.example")

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        for code in extracted or ["services"]:
            AuthorityArea.objects.create(authority=self, legal_area_id=code)

    @factory.post_generation
    def search_index(self, create, extracted, **kwargs):
        index_authority(self)  # as the directory services do


def member(user: User, authority: Authority, *roles: str, area: str | None = None) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, authority=authority)
    for role in roles or (Role.REQUEST_HANDLER,):
        RoleGrant.objects.create(membership=membership, role=role, legal_area_id=area)
    return membership


def coordinator(authority: Authority, kind: str = "national", areas=(), regions=()) -> CoordinatorFunction:
    function = CoordinatorFunction.objects.create(authority=authority, kind=kind, country_id=authority.country_id)
    function.legal_areas.set(areas)
    function.regions.set(regions)
    return function


def date_fields(name: str, value: datetime.date) -> dict[str, str]:
    """What the three-field date input posts for ``value`` (openimi.core.forms.DateField)."""
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}
