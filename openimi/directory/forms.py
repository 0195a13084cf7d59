from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from openimi.core.models import Country, Language, LegalArea, Region, Term
from openimi.directory.models import AuthorityKind
from openimi.directory.services import AuthorityData


def language_choices():
    return [("", _("Choose a language"))] + [(lang.code, lang.name) for lang in Language.objects.all()]


def area_choices(codes=None):
    areas = LegalArea.objects.filter(is_active=True)
    if codes is not None:
        areas = areas.filter(code__in=codes)
    return [(a.code, a.name) for a in areas]


def competence_choices(area_codes=None):
    terms = Term.objects.select_related("vocabulary").order_by("vocabulary__legal_area_id", "vocabulary_id", "code")
    if area_codes is not None:
        terms = terms.filter(vocabulary__legal_area_id__in=area_codes)
    return [(t.code, f"{t.label} ({t.vocabulary.name})") for t in terms]


def region_choices(country_codes):
    regions = Region.objects.filter(country_id__in=country_codes).order_by("country_id", "name")
    return [("", _("No region (whole country)"))] + [(r.code, f"{r.name} ({r.code})") for r in regions]


class AuthorityForm(forms.Form):
    """The directory entry. The country and legal areas are shown only where they may change."""

    official_name = forms.CharField(
        label=_("Official name"),
        max_length=300,
        help_text=_("As written in the authority's own language. It is never translated."),
    )
    official_language = forms.ChoiceField(label=_("Language of the official name"))
    kind = forms.ChoiceField(label=_("Type of authority"), choices=AuthorityKind.choices)
    country = forms.ChoiceField(label=_("Country"))
    region = forms.ChoiceField(label=_("Region"), required=False)
    street_address = forms.CharField(label=_("Street address"), max_length=300, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    website = forms.URLField(label=_("Web site"), required=False, assume_scheme="https")
    email = forms.EmailField(
        label=_("Functional e-mail address"),
        required=False,
        help_text=_("A shared mailbox of the authority, not a person's address."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    title = forms.CharField(
        label=_("Informal title"),
        max_length=300,
        required=False,
        help_text=_("A short explanation of who you are, in the language chosen below."),
    )
    title_language = forms.ChoiceField(label=_("Language of the informal title and description"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    legal_areas = forms.MultipleChoiceField(label=_("Legal areas"), required=False, widget=forms.CheckboxSelectMultiple)
    competences = forms.MultipleChoiceField(label=_("Competences"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, countries=None, areas=None, fixed_country=None, with_areas=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official_language"].choices = language_choices()
        self.fields["title_language"].choices = language_choices()
        country_qs = Country.objects.filter(is_active=True)
        if countries is not None:
            country_qs = country_qs.filter(code__in=countries)
        self.fields["country"].choices = [(c.code, c.name) for c in country_qs]
        region_countries = [fixed_country] if fixed_country else [c for c, _n in self.fields["country"].choices]
        self.fields["region"].choices = region_choices(region_countries)
        if fixed_country:
            del self.fields["country"]
            self.fixed_country = fixed_country
        if with_areas:
            self.fields["legal_areas"].choices = area_choices(areas)
            self.fields["competences"].choices = competence_choices(areas)
        else:
            del self.fields["legal_areas"]
            del self.fields["competences"]

    @classmethod
    def initial_from(cls, data: AuthorityData) -> dict:
        initial = {k: v for k, v in vars(data).items() if k != "texts"}
        if data.texts:
            language, (title, description) = next(iter(data.texts.items()))
            initial.update(title=title, title_language=language, description=description)
        return initial

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("title") and not cleaned.get("title_language"):
            self.add_error("title_language", _("Choose the language of the informal title."))
        return cleaned

    def to_data(self, existing_texts: dict | None = None) -> AuthorityData:
        c = self.cleaned_data
        texts = dict(existing_texts or {})
        if c.get("title_language"):
            texts.pop(c["title_language"], None)
            if c.get("title"):
                texts[c["title_language"]] = (c["title"], c.get("description", ""))
        return AuthorityData(
            official_name=c["official_name"],
            official_language=c["official_language"],
            country=c.get("country") or str(getattr(self, "fixed_country", "")),
            kind=c["kind"],
            region=c.get("region") or None,
            street_address=c.get("street_address", ""),
            postcode=c.get("postcode", ""),
            city=c.get("city", ""),
            website=c.get("website", ""),
            email=c.get("email", ""),
            phone=c.get("phone", ""),
            texts=texts,
            legal_areas=c.get("legal_areas", []),
            competences=c.get("competences", []),
        )


class JoinForm(AuthorityForm):
    """Self-registration: the entry plus the first local administrator's own account."""

    admin_name = forms.CharField(label=_("Your full name"), max_length=200)
    admin_password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password."),
    )
    admin_password2 = forms.CharField(
        label=_("Repeat the password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("admin_password") != cleaned.get("admin_password2"):
            self.add_error("admin_password2", _("The two passwords are not the same."))
        return cleaned


class InviteForm(forms.Form):
    official_name = forms.CharField(label=_("Official name"), max_length=300)
    email = forms.EmailField(label=_("E-mail address to send the invitation to"))
    country = forms.ChoiceField(label=_("Country"))
    region = forms.ChoiceField(label=_("Region"), required=False)
    official_language = forms.ChoiceField(label=_("Language of the invitation"), required=False)
    legal_areas = forms.MultipleChoiceField(label=_("Legal areas"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, countries=None, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [(c.code, c.name) for c in Country.objects.filter(code__in=countries or [])]
        self.fields["region"].choices = region_choices(countries or [])
        self.fields["official_language"].choices = [("", _("The country's main language"))] + [
            (code, name) for code, name in settings.LANGUAGES
        ]
        self.fields["legal_areas"].choices = area_choices(areas)


class AreasForm(forms.Form):
    legal_areas = forms.MultipleChoiceField(label=_("Legal areas"), required=False, widget=forms.CheckboxSelectMultiple)
    competences = forms.MultipleChoiceField(label=_("Competences"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_areas"].choices = area_choices()
        self.fields["competences"].choices = competence_choices()


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the suspension"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the suspension.")},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"), help_text=_("One authority per row. The first row names the columns.")
    )


class NationalCoordinatorForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"))
    official_name = forms.CharField(label=_("Official name of the coordinating authority"), max_length=300)
    email = forms.EmailField(label=_("Functional e-mail address"))
    admin_name = forms.CharField(label=_("Full name of its first local administrator"), max_length=200)
    admin_email = forms.EmailField(label=_("E-mail address of its first local administrator"))

    def __init__(self, *args, countries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [(c.code, c.name) for c in Country.objects.filter(code__in=countries)]


class DelegatedCoordinatorForm(forms.Form):
    authority = forms.IntegerField(
        label=_("Authority number"),
        min_value=1,
        help_text=_("The number shown on the authority's page in the directory."),
    )
    legal_areas = forms.MultipleChoiceField(
        label=_("Legal areas"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for all legal areas."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"), required=False, help_text=_("Leave empty for the whole country.")
    )

    def __init__(self, *args, country=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_areas"].choices = area_choices()
        self.fields["regions"].choices = region_choices([country])[1:]
