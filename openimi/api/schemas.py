import re
from datetime import date, datetime
from typing import get_args

from django.utils.translation import gettext
from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class StrictIn(Schema):
    """Input schemas refuse unknown fields, so a typo is an error instead of being ignored.

    Dates are taken only as the YYYY-MM-DD the OpenAPI document promises: pydantic alone also
    reads a number as a Unix timestamp, so ``0`` would quietly mean 1 January 1970. Numbers
    (ids, versions, ratings) refuse booleans: pydantic takes ``true`` as 1, so ``"responder":
    true`` meant authority number 1. Every field of every input schema, a new one included."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_as_numbers(cls, value, info: ValidationInfo):
        annotation = cls.model_fields[info.field_name or ""].annotation
        if isinstance(value, bool) and int in (annotation, *get_args(annotation)):
            raise PydanticCustomError("int_type", gettext("Enter a whole number."))
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _dates_as_iso_strings(cls, value, info: ValidationInfo):
        if info.field_name is None:  # set for every field validator; None only for model validators
            return value
        annotation = cls.model_fields[info.field_name or ""].annotation
        if date not in (annotation, *get_args(annotation)) or value is None or isinstance(value, date):
            return value
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            return value
        raise PydanticCustomError("date_format", gettext("Enter a date as YYYY-MM-DD."))


class Error(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    errors: list[Error]


class AuthorityMembershipOut(Schema):
    id: int
    official_name: str
    country: str
    roles: list[str]


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    language: str
    acting_for: AuthorityMembershipOut
    memberships: list[AuthorityMembershipOut]


class NamedCode(Schema):
    code: str
    name: str


class TextOut(Schema):
    language: str
    title: str
    description: str


class AuthoritySummaryOut(Schema):
    id: int
    official_name: str
    official_language: str
    informal_title: str | None
    country: NamedCode
    region: NamedCode | None
    city: str
    status: str
    is_coordinator: bool
    legal_areas: list[NamedCode]


class AuthorityOut(AuthoritySummaryOut):
    kind: str
    street_address: str
    postcode: str
    website: str
    email: str
    phone: str
    texts: list[TextOut]
    competences: list[NamedCode]
    updated_at: datetime


class AuthorityPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AuthoritySummaryOut]


class AuthorityFiltersIn(StrictIn):
    q: str = Field("", max_length=200, description="Words contained in the name, informal title or city.")
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2 code, e.g. FR.")
    legal_area: str = Field("", max_length=64, description="Legal area code, e.g. services.")
    competence: str = Field("", max_length=64, description="Competence term code, e.g. architect.")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


class TextIn(StrictIn):
    language: str = Field(..., max_length=8)
    title: str = Field(..., max_length=300)
    description: str = Field("", max_length=10_000)


class AuthorityIn(StrictIn):
    official_name: str = Field(..., max_length=300)
    official_language: str = Field(..., max_length=8)
    country: str = Field(..., max_length=2)
    kind: str = "other"
    region: str | None = Field(None, max_length=12)
    street_address: str = Field("", max_length=300)
    postcode: str = Field("", max_length=20)
    city: str = Field("", max_length=120)
    website: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=50)
    texts: list[TextIn] = []
    legal_areas: list[str] = []
    competences: list[str] = []


class AuthorityUpdateIn(StrictIn):
    official_name: str | None = Field(None, max_length=300)
    official_language: str | None = Field(None, max_length=8)
    kind: str | None = None
    region: str | None = Field(None, max_length=12)
    street_address: str | None = Field(None, max_length=300)
    postcode: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=120)
    website: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=50)
    texts: list[TextIn] | None = None


class SuspendIn(StrictIn):
    reason: str = Field(..., min_length=1, max_length=1000)


class AuthoritySearchIn(AuthorityFiltersIn):
    region: str = Field("", max_length=12, description="ISO 3166-2 code, e.g. FR-69.")
    kind: str = Field("", max_length=32, description="Authority type, e.g. chamber.")


class FacetCount(Schema):
    value: str
    count: int


class AuthorityHit(AuthoritySummaryOut):
    competences: list[str]


class AuthoritySearchPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AuthorityHit]
    facets: dict[str, list[FacetCount]]
