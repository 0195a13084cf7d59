"""Every change to the directory. Each service checks permission, runs in one transaction,
locks what it changes, records an AuthorityEvent and queues mail only after commit."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openimi.core.models import Country, Language, LegalArea, Region, Term
from openimi.directory.events import record
from openimi.directory.members import member_add, user_create_local_admin
from openimi.directory.models import (
    Authority,
    AuthorityArea,
    AuthorityEvent,
    AuthorityKind,
    AuthorityStatus,
    AuthorityText,
    CoordinatorFunction,
    Invitation,
)
from openimi.directory.permissions import Perm, Scope, require, scopes_covering, scopes_of
from openimi.directory.search import index_authority
from openimi.directory.tasks import invitation_link, send_invitation
from openimi.directory.workflow import AUTHORITY_STATUS
from openimi.lib.text import clean_text
from openimi.notifications.services import mail_queue


@dataclass
class AuthorityData:
    """The editable content of a directory entry, as both front doors hand it to services."""

    official_name: str
    official_language: str
    country: str
    kind: str = AuthorityKind.OTHER
    region: str | None = None
    street_address: str = ""
    postcode: str = ""
    city: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # language -> (title, description)
    legal_areas: list[str] = field(default_factory=list)
    competences: list[str] = field(default_factory=list)

    @classmethod
    def from_authority(cls, authority: Authority) -> "AuthorityData":
        return cls(
            official_name=authority.official_name,
            official_language=authority.official_language_id,
            country=authority.country_id,
            kind=authority.kind,
            region=authority.region_id,
            street_address=authority.street_address,
            postcode=authority.postcode,
            city=authority.city,
            website=authority.website,
            email=authority.email,
            phone=authority.phone,
            texts={t.language_id: (t.title, t.description) for t in authority.texts.all()},
            legal_areas=[g.legal_area_id for g in authority.area_grants.all()],
            competences=[t.code for t in authority.competences.all()],
        )


def validate_authority_data(data: AuthorityData, *, instance: Authority | None = None) -> None:
    """Raise ValidationError naming each bad field; the single source of these rules."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name, value in vars(data).items():
        texts = [value] if isinstance(value, str) else []
        if name == "texts":  # language codes and their (title, description)
            texts = [*value, *(t for pair in value.values() for t in pair if isinstance(t, str))]
        elif isinstance(value, list | tuple):  # legal areas, competences
            texts = [t for t in value if isinstance(t, str)]
        if any("\x00" in t for t in texts):
            add(name, _("This field contains characters that are not allowed."))
    if errors:  # do not even look such values up in the database
        raise ValidationError(errors)
    data.official_name = (data.official_name or "").strip()
    if not data.official_name:
        add("official_name", _("Enter the official name."))
    elif len(data.official_name) > 300:
        add("official_name", _("The official name can have at most 300 characters."))
    country = Country.objects.filter(code=data.country, is_active=True).first()
    if country is None:
        add("country", _("Choose a country from the list."))
    if not Language.objects.filter(code=data.official_language).exists():
        add("official_language", _("Choose a language from the list."))
    if data.kind not in AuthorityKind.values:
        add("kind", _("Choose a type from the list."))
    if data.region and not Region.objects.filter(code=data.region, country_id=data.country).exists():
        add("region", _("Choose a region of the selected country."))
    if data.email:
        try:
            EmailValidator()(data.email)
        except ValidationError:
            add("email", _("Enter a valid e-mail address."))
    if data.website:
        try:
            URLValidator(schemes=["http", "https"])(data.website)
        except ValidationError:
            add("website", _("Enter a valid web address starting with https://."))
    for name, limit in (("street_address", 300), ("postcode", 20), ("city", 120), ("phone", 50)):
        if len(getattr(data, name) or "") > limit:
            add(
                name,
                ngettext(
                    "This field can have at most %(limit)d character.",
                    "This field can have at most %(limit)d characters.",
                    limit,
                )
                % {"limit": limit},
            )
    _validate_texts(data, add)
    _validate_areas(data, add)
    if country is not None and data.official_name and _is_duplicate(data, instance):
        add("official_name", _("An authority with this name is already registered in this city."))
    if errors:
        raise ValidationError(errors)


def _validate_texts(data: AuthorityData, add) -> None:
    languages = set(Language.objects.filter(code__in=data.texts.keys()).values_list("code", flat=True))
    for language, (title, description) in data.texts.items():
        if language not in languages:
            add("texts", _("Unknown language code: %(code)s.") % {"code": language})
        elif not (title or "").strip() and (description or "").strip():
            add("texts", _("Give an informal title for each description."))
        elif len(title or "") > 300:
            add("texts", _("An informal title can have at most 300 characters."))


def _validate_areas(data: AuthorityData, add) -> None:
    areas = set(LegalArea.objects.filter(code__in=data.legal_areas, is_active=True).values_list("code", flat=True))
    for code in set(data.legal_areas) - areas:
        add("legal_areas", _("Unknown legal area: %(code)s.") % {"code": code})
    terms = dict(Term.objects.filter(code__in=data.competences).values_list("code", "vocabulary__legal_area_id"))
    for code in data.competences:
        if code not in terms:
            add("competences", _("Unknown competence: %(code)s.") % {"code": code})
        elif terms[code] not in areas:
            add(
                "competences",
                _("The competence %(code)s belongs to a legal area the authority does not have.") % {"code": code},
            )


def _is_duplicate(data: AuthorityData, instance: Authority | None) -> bool:
    same = Authority.objects.filter(
        country_id=data.country, official_name__iexact=data.official_name, city__iexact=data.city.strip()
    )
    if instance is not None:
        same = same.exclude(pk=instance.pk)
    return same.exists()


def _scope_for_target(actor, *, country: str, region: str | None, areas: list[str]) -> Scope:
    """The actor's coordinator scope that covers a new entry with these values, or refuse."""
    region_codes = Region.objects.get(code=region).ancestor_codes() if region else set()
    for scope in scopes_of(actor):
        if scope.covers(country=country, region_codes=region_codes, area_codes=set(areas)) and all(
            scope.allows_area(a) for a in areas
        ):
            return scope
    raise PermissionDenied(_("This authority is outside the scope you coordinate."))


def _save_content(authority: Authority, data: AuthorityData, *, actor, areas: bool) -> None:
    for name in ("official_name", "kind", "street_address", "postcode", "city", "website", "email", "phone"):
        setattr(authority, name, (getattr(data, name) or "").strip())
    authority.official_language_id = data.official_language
    authority.country_id = data.country
    authority.region_id = data.region or None
    authority.updated_at = timezone.now()
    authority.save()
    authority.texts.all().delete()
    AuthorityText.objects.bulk_create(
        [
            AuthorityText(authority=authority, language_id=lang, title=title.strip(), description=(desc or "").strip())
            for lang, (title, desc) in data.texts.items()
            if (title or "").strip()
        ]
    )
    index_authority(authority)  # searchable at once, in the same transaction
    if areas:
        current = set(authority.area_grants.values_list("legal_area_id", flat=True))
        authority.area_grants.exclude(legal_area_id__in=data.legal_areas).delete()
        AuthorityArea.objects.bulk_create(
            [
                AuthorityArea(authority=authority, legal_area_id=a, granted_by=actor)
                for a in set(data.legal_areas) - current
            ]
        )
    authority.competences.set(data.competences)  # type: ignore[arg-type]  # codes are the primary keys; the stubs allow only int keys


def authority_register(*, actor, data: AuthorityData) -> Authority:
    """A coordinator registers an authority directly: it is listed at once (the coordinator vouches)."""
    require(actor, Perm.AUTHORITY_REGISTER)
    validate_authority_data(data)
    scope = _scope_for_target(actor, country=data.country, region=data.region, areas=data.legal_areas)
    with transaction.atomic():
        authority = Authority(
            status=AuthorityStatus.ACTIVE, parent_coordinator_id=scope.authority_id, validated_at=timezone.now()
        )
        _save_content(authority, data, actor=actor, areas=True)
        record(authority, actor, AuthorityEvent.Action.REGISTERED)
    return authority


def authority_invite(
    *,
    actor,
    email: str,
    official_name: str,
    country: str,
    region: str | None = None,
    legal_areas: list[str] | None = None,
    language: str | None = None,
) -> tuple[Authority, str]:
    """Create an invited entry and mail a single-use self-registration link. Returns the link."""
    require(actor, Perm.AUTHORITY_REGISTER)
    country_obj = Country.objects.filter(code=country).first()
    data = AuthorityData(
        official_name=official_name,
        official_language=language or (country_obj.default_language_id if country_obj else ""),
        country=country,
        region=region,
        email=email,
        legal_areas=legal_areas or [],
    )
    validate_authority_data(data)
    scope = _scope_for_target(actor, country=country, region=region, areas=data.legal_areas)
    with transaction.atomic():
        authority = Authority(status=AuthorityStatus.INVITED, parent_coordinator_id=scope.authority_id)
        _save_content(authority, data, actor=actor, areas=True)
        created_at = timezone.now()
        invitation = Invitation.objects.create(
            authority=authority,
            email=email,
            digest=Invitation.digest_for(Invitation.token_for(authority.pk, created_at)),
            created_by=actor,
            created_at=created_at,
            expires_at=created_at + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        record(authority, actor, AuthorityEvent.Action.INVITED, email=email)
        # The task gets the invitation's id only and makes the link again when it sends.
        transaction.on_commit(lambda: send_invitation.enqueue(invitation_id=invitation.pk))
    return authority, invitation_link(invitation)


def invitation_get(raw_token: str) -> Invitation:
    """The open invitation for a token, or a ValidationError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("authority").filter(digest=Invitation.digest_for(raw_token or "")).first()
    )
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid. Ask your coordinator for a new one."))
    if invitation.used_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired. Ask your coordinator for a new one."))
    return invitation


def invitation_complete(*, raw_token: str, data: AuthorityData, admin_name: str, admin_password: str) -> Authority:
    """The invitee completes the entry and becomes its first local administrator; the entry
    then waits for the coordinator's validation."""
    with transaction.atomic():
        invitation = invitation_get(raw_token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.used_at is not None:
            raise ValidationError(_("This invitation has already been used."))
        authority = Authority.objects.select_for_update().get(pk=invitation.authority_id)
        # The coordinator fixed the country and the legal areas; the invitee cannot widen them.
        data.country = authority.country_id
        data.legal_areas = [g.legal_area_id for g in authority.area_grants.all()]
        validate_authority_data(data, instance=authority)
        _save_content(authority, data, actor=None, areas=False)
        authority.status = AuthorityStatus.PENDING
        authority.save(update_fields=["status"])
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        user = user_create_local_admin(
            authority=authority, email=invitation.email, full_name=admin_name, password=admin_password
        )
        record(authority, user, AuthorityEvent.Action.COMPLETED)
    return authority


def _lock(authority: Authority) -> Authority:
    return Authority.objects.select_for_update().get(pk=authority.pk)


def authority_update(*, actor, authority: Authority, data: AuthorityData) -> Authority:
    """Local administrators and coordinators edit the entry; legal areas are changed only
    through :func:`authority_set_areas`, country only by re-registration."""
    require(actor, Perm.AUTHORITY_EDIT, authority)
    data.country = authority.country_id
    data.legal_areas = [g.legal_area_id for g in authority.area_grants.all()]
    validate_authority_data(data, instance=authority)
    with transaction.atomic():
        authority = _lock(authority)
        before = AuthorityData.from_authority(authority)
        _save_content(authority, data, actor=actor, areas=False)
        changed = sorted(k for k, v in vars(data).items() if vars(before).get(k) != v)
        record(authority, actor, AuthorityEvent.Action.UPDATED, fields=changed)
    return authority


def authority_validate(*, actor, authority: Authority) -> Authority:
    """The coordinator checks a self-registered entry and lists it."""
    authority = AUTHORITY_STATUS.apply(actor=actor, obj=authority, action="validate").obj
    if authority.email:
        mail_queue(
            to=authority.email,
            language=authority.official_language_id
            if authority.official_language_id in dict(settings.LANGUAGES)
            else "en",
            template="authority_validated",
            context={
                "authority": authority.official_name,
                "link": settings.SITE_URL + reverse("directory:detail", args=[authority.pk]),
            },
        )
    return authority


def authority_suspend(*, actor, authority: Authority, reason: str) -> Authority:
    """A coordinator suspends an entry: it is no longer listed and its members lose access."""
    errors: dict[str, list[str]] = {}
    reason = clean_text(reason, "reason", errors, limit=1000)
    if not reason and not errors:
        errors["reason"] = [_("Give the reason for the suspension.")]
    if errors:
        raise ValidationError(errors)
    return AUTHORITY_STATUS.apply(actor=actor, obj=authority, action="suspend", payload={"reason": reason}).obj


def authority_reactivate(*, actor, authority: Authority) -> Authority:
    return AUTHORITY_STATUS.apply(actor=actor, obj=authority, action="reactivate").obj


def _status_validated(actor, authority: Authority, action, payload) -> None:
    if authority.validated_at is None:
        authority.validated_at = timezone.now()


def _status_unchanged(actor, authority: Authority, action, payload) -> None:
    return None


_STATUS_EVENTS = {
    "validate": AuthorityEvent.Action.VALIDATED,
    "suspend": AuthorityEvent.Action.SUSPENDED,
    "reactivate": AuthorityEvent.Action.REACTIVATED,
}


def _record_status(actor, authority: Authority, action, from_state, to_state, payload, context) -> None:
    record(authority, actor, _STATUS_EVENTS[action.name], **payload)


AUTHORITY_STATUS.bind(
    record=_record_status,
    handlers={"validate": _status_validated, "suspend": _status_unchanged, "reactivate": _status_unchanged},
)


def authority_set_areas(*, actor, authority: Authority, legal_areas: list[str], competences: list[str]) -> Authority:
    """Grant or withdraw legal areas and set competences. A delegated coordinator can only
    touch the areas of its own scope; areas outside it are kept as they are."""
    require(actor, Perm.AUTHORITY_GRANT_AREA, authority)
    scopes = scopes_covering(actor, authority)
    current = {g.legal_area_id for g in authority.area_grants.all()}
    wanted = set(legal_areas)
    for code in wanted ^ current:
        if not any(s.allows_area(code) for s in scopes):
            raise PermissionDenied(_("The legal area %(code)s is outside the scope you coordinate.") % {"code": code})
    data = AuthorityData.from_authority(authority)
    data.legal_areas, data.competences = sorted(wanted), list(dict.fromkeys(competences))
    validate_authority_data(data, instance=authority)
    with transaction.atomic():
        authority = _lock(authority)
        for code in sorted(wanted - current):
            AuthorityArea.objects.create(authority=authority, legal_area_id=code, granted_by=actor)
            record(authority, actor, AuthorityEvent.Action.AREA_GRANTED, legal_area=code)
        for code in sorted(current - wanted):
            authority.area_grants.filter(legal_area_id=code).delete()
            record(authority, actor, AuthorityEvent.Action.AREA_REVOKED, legal_area=code)
        before = set(authority.competences.values_list("code", flat=True))
        authority.competences.set(data.competences)  # type: ignore[arg-type]  # codes are the primary keys; the stubs allow only int keys
        if before != set(data.competences):
            record(authority, actor, AuthorityEvent.Action.COMPETENCES_SET, competences=sorted(data.competences))
    return authority


def coordinator_appoint(
    *, actor, authority: Authority, kind: str, legal_areas: list[str] | None = None, regions: list[str] | None = None
) -> CoordinatorFunction:
    """The operator appoints a country's national coordinator; a national coordinator
    appoints delegated coordinators (by legal area and/or region) in its own country."""
    if kind == CoordinatorFunction.Kind.NATIONAL:
        require(actor, Perm.COORDINATOR_APPOINT_NATIONAL)
        if CoordinatorFunction.objects.filter(country_id=authority.country_id, kind=kind).exists():
            raise ValidationError({"kind": _("This country already has a national coordinator.")})
        legal_areas, regions = [], []
    elif kind == CoordinatorFunction.Kind.DELEGATED:
        require(actor, Perm.COORDINATOR_APPOINT_DELEGATED)
        if not any(s.kind == "national" and s.country == authority.country_id for s in scopes_of(actor)):
            raise PermissionDenied(_("You can only appoint coordinators in your own country."))
        regions = regions or []
        if Region.objects.filter(code__in=regions, country_id=authority.country_id).count() != len(set(regions)):
            raise ValidationError({"regions": _("Choose regions of the coordinator's country.")})
        if LegalArea.objects.filter(code__in=legal_areas or []).count() != len(set(legal_areas or [])):
            raise ValidationError({"legal_areas": _("Choose legal areas from the list.")})
    else:
        raise ValidationError({"kind": _("Choose national or delegated.")})
    if authority.status != AuthorityStatus.ACTIVE:
        raise ValidationError({"authority": _("Only an active authority can hold coordinator functions.")})
    with transaction.atomic():
        function = CoordinatorFunction.objects.create(
            authority=authority, kind=kind, country_id=authority.country_id, created_by=actor
        )
        function.legal_areas.set(legal_areas or [])  # type: ignore[arg-type]  # codes are the primary keys; the stubs allow only int keys
        function.regions.set(regions or [])  # type: ignore[arg-type]  # codes are the primary keys; the stubs allow only int keys
        record(
            authority,
            actor,
            AuthorityEvent.Action.COORDINATOR_APPOINTED,
            kind=kind,
            legal_areas=sorted(legal_areas or []),
            regions=sorted(regions or []),
        )
    return function


def national_coordinator_register(*, actor, data: AuthorityData, admin_email: str, admin_name: str) -> Authority:
    """The operator bootstraps a country: registers its national coordinator authority and
    its first local administrator, who receives a link to choose a password."""
    require(actor, Perm.COORDINATOR_APPOINT_NATIONAL)
    validate_authority_data(data)
    if CoordinatorFunction.objects.filter(country_id=data.country, kind=CoordinatorFunction.Kind.NATIONAL).exists():
        raise ValidationError({"country": _("This country already has a national coordinator.")})
    with transaction.atomic():
        authority = Authority(status=AuthorityStatus.ACTIVE, validated_at=timezone.now())
        _save_content(authority, data, actor=actor, areas=True)
        record(authority, actor, AuthorityEvent.Action.REGISTERED)
        coordinator_appoint(actor=actor, authority=authority, kind=CoordinatorFunction.Kind.NATIONAL)
        member_add(
            actor=actor,
            authority=authority,
            email=admin_email,
            full_name=admin_name,
            roles=[("local_admin", None)],
            bypass_permission=True,
        )
    return authority
