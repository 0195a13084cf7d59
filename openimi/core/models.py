"""Reference data: languages, countries, regions, legal areas and competence vocabularies.

Everything here is language-neutral: a stable code as primary key and its names in every
interface language in a JSON mapping ``{language code: text}``, read with
:func:`openimi.core.i18n.pick`. Loaded by data migrations from libraries (CLDR via Babel,
ISO 3166 via pycountry) and from the JSON files under ``core/data``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from openimi.core.i18n import pick


class TranslatedNameMixin:
    names: dict[str, str]
    pk: str  # every model it is mixed into has a text code as its primary key

    @property
    def name(self) -> str:
        return pick(self.names)

    def __str__(self) -> str:
        return self.name or self.pk


class Language(TranslatedNameMixin, models.Model):
    code = models.CharField(_("code"), max_length=8, primary_key=True)
    names = models.JSONField(_("names"), default=dict)
    is_interface_language = models.BooleanField(_("interface language"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")


class Country(TranslatedNameMixin, models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    names = models.JSONField(_("names"), default=dict)
    languages = models.ManyToManyField(Language, related_name="countries", verbose_name=_("official languages"))
    default_language = models.ForeignKey(
        Language, on_delete=models.PROTECT, related_name="+", verbose_name=_("main language")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Region(models.Model):
    """An ISO 3166-2 subdivision; ``parent`` links e.g. a French département to its région."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="regions")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=100, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def ancestor_codes(self) -> set[str]:
        codes: set[str] = set()
        node: Region | None = self
        while node is not None:
            codes.add(node.code)
            node = node.parent
        return codes


class LegalArea(TranslatedNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    names = models.JSONField(_("names"), default=dict)
    descriptions = models.JSONField(_("descriptions"), default=dict)
    is_active = models.BooleanField(_("active"), default=True)
    acceptance_days = models.PositiveSmallIntegerField(
        _("days to accept a request"), default=7, help_text=_("After this, the request is overdue.")
    )
    retention_block_months = models.PositiveSmallIntegerField(
        _("months before personal data is blocked"),
        default=6,
        help_text=_("After formal closure; at most 18 (IMI Regulation Art. 14)."),
    )
    escalation_days = models.PositiveSmallIntegerField(
        _("days before escalation"),
        default=7,
        help_text=_("How long a request may stay overdue before its coordinators are alerted."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("legal area")
        verbose_name_plural = _("legal areas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_block_months__range=(1, 18)),
                name="legalarea_retention_block_at_most_18_months",
            ),
        ]

    @property
    def description(self) -> str:
        return pick(self.descriptions)


class Vocabulary(TranslatedNameMixin, models.Model):
    class Kind(models.TextChoices):
        SERVICE_ACTIVITY = "service_activity", _("Service activities")
        PROFESSION = "profession", _("Regulated professions")
        KEYWORD = "keyword", _("Keywords")

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    legal_area = models.ForeignKey(LegalArea, on_delete=models.CASCADE, related_name="vocabularies")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    names = models.JSONField(_("names"), default=dict)

    class Meta:
        ordering = ["legal_area", "code"]
        verbose_name = _("vocabulary")
        verbose_name_plural = _("vocabularies")


class Term(models.Model):
    """A competence: a language-neutral code with a label in every language."""

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    vocabulary = models.ForeignKey(Vocabulary, on_delete=models.CASCADE, related_name="terms")
    labels = models.JSONField(_("labels"), default=dict)

    class Meta:
        ordering = ["vocabulary", "code"]
        verbose_name = _("competence term")
        verbose_name_plural = _("competence terms")

    def __str__(self) -> str:
        return self.label or self.code

    @property
    def label(self) -> str:
        return pick(self.labels)
