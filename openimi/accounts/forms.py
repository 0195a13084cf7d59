from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from openimi.accounts.models import Role
from openimi.accounts.tasks import PASSWORD_RESET, send_password_link


class LoginForm(forms.Form):
    username = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6-digit code currently shown by the app."),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "class": "govuk-input--width-5",
            }
        ),
    )

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the 6 digits shown by your authenticator app."))
        return token


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset mail goes through the task queue like every other mail, in the
    recipient's own language. The queued task names only the user: the link, which signs its
    holder in, is made when the mail is sent, so it is never stored with the task."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        send_password_link.enqueue(user_id=context["user"].pk, kind=PASSWORD_RESET)


def role_choices(authority) -> list[tuple[str, str]]:
    """Checkbox values ``role:area`` (``*`` = every legal area of the authority)."""
    areas = [(g.legal_area_id, g.legal_area.name) for g in authority.area_grants.select_related("legal_area")]
    choices = []
    for role, label in Role.choices:
        choices.append((f"{role}:*", _("%(role)s – all legal areas") % {"role": label}))
        if role != Role.LOCAL_ADMIN:
            choices += [(f"{role}:{code}", f"{label} – {name}") for code, name in areas]
    return choices


def parse_roles(values: list[str]) -> list[tuple[str, str | None]]:
    parsed = []
    for value in values:
        role, _sep, area = value.partition(":")
        parsed.append((role, None if area in ("", "*") else area))
    return parsed


def role_values(membership) -> list[str]:
    return [f"{g.role}:{g.legal_area_id or '*'}" for g in membership.roles.all()]


class MemberRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A role can be given for all legal areas of the authority or for one of them."),
    )

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices(authority)

    def role_specs(self) -> list[tuple[str, str | None]]:
        return parse_roles(self.cleaned_data["roles"])


class MemberForm(MemberRolesForm):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    field_order = ["email", "full_name", "roles"]
