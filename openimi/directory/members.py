"""Every change to the members of an authority (memberships, roles, the first local
administrator) and to its API tokens. They live in the directory, not in accounts, because each
is recorded on the authority's history (``AuthorityEvent``) and depends on its legal areas and
status."""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openimi.accounts.models import ApiToken, Membership, Role, RoleGrant, User
from openimi.accounts.tasks import ACCOUNT_CREATED, send_password_link
from openimi.core.models import LegalArea
from openimi.directory.events import record
from openimi.directory.models import Authority, AuthorityEvent, AuthorityStatus
from openimi.directory.permissions import Perm, access_of, has_role, require
from openimi.lib.text import clean_text

FULL_NAME_LIMIT: int = User._meta.get_field("full_name").max_length or 200
RoleSpec = tuple[str, str | None]  # (role, legal area code or None for all areas)


def _validate_roles(roles: list[RoleSpec], authority: Authority) -> list[RoleSpec]:
    areas = set(authority.area_grants.values_list("legal_area_id", flat=True))
    known_areas = set(LegalArea.objects.values_list("code", flat=True))
    clean: list[RoleSpec] = []
    for role, area in roles:
        if role not in Role.values:
            raise ValidationError({"roles": _("Unknown role: %(role)s.") % {"role": role}})
        if area is not None and area not in known_areas:
            raise ValidationError({"roles": _("Unknown legal area: %(code)s.") % {"code": area}})
        if area is not None and area not in areas:
            raise ValidationError(
                {"roles": _("The authority has no access to the legal area %(code)s.") % {"code": area}}
            )
        if role == Role.LOCAL_ADMIN and area is not None:
            raise ValidationError(
                {"roles": _("Local administrators administer the whole authority, not one legal area.")}
            )
        if (role, area) not in clean:
            clean.append((role, area))
    if not clean:
        raise ValidationError({"roles": _("Give the user at least one role.")})
    return clean


def member_add(
    *, actor, authority: Authority, email: str, full_name: str, roles: list[RoleSpec], bypass_permission: bool = False
) -> Membership:
    """Add a person to an authority with roles. Someone without a usable password (a new
    user, or one who never chose one) gets a link to choose it; someone who has one signs in
    with it, and gets no mail asking for a new one.

    ``bypass_permission`` is only for other services that have checked a stronger permission.
    """
    if not bypass_permission:
        require(actor, Perm.MEMBER_MANAGE, authority)
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    full_name = clean_text(full_name, "full_name", errors, limit=FULL_NAME_LIMIT)
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address.")]
    if not full_name and not errors.get("full_name"):
        errors["full_name"] = [_("Enter the person's full name.")]
    if errors:
        raise ValidationError(errors)
    roles = _validate_roles(roles, authority)
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        user = existing or User.objects.create_user(email=email, password=None, full_name=full_name)
        if Membership.objects.filter(user=user, authority=authority).exists():
            raise ValidationError({"email": _("This person is already a member of the authority.")})
        membership = Membership.objects.create(user=user, authority=authority)
        RoleGrant.objects.bulk_create([RoleGrant(membership=membership, role=r, legal_area_id=a) for r, a in roles])
        record(authority, actor, AuthorityEvent.Action.MEMBER_ADDED, user=user.pk, roles=[list(r) for r in roles])
        if not user.has_usable_password():
            # The task gets the user's id only and makes the password link when it sends.
            user_id, authority_name = user.pk, authority.official_name
            transaction.on_commit(
                lambda: send_password_link.enqueue(user_id=user_id, kind=ACCOUNT_CREATED, authority_name=authority_name)
            )
    return membership


def member_set_roles(*, actor, membership: Membership, roles: list[RoleSpec]) -> Membership:
    authority = membership.authority
    require(actor, Perm.MEMBER_MANAGE, authority)
    roles = _validate_roles(roles, authority)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _ensure_an_admin_remains(membership, keeps_admin=(Role.LOCAL_ADMIN, None) in roles)
        membership.roles.all().delete()
        RoleGrant.objects.bulk_create([RoleGrant(membership=membership, role=r, legal_area_id=a) for r, a in roles])
        record(
            authority,
            actor,
            AuthorityEvent.Action.MEMBER_ROLES_SET,
            user=membership.user_id,
            roles=[list(r) for r in roles],
        )
    return membership


def member_remove(*, actor, membership: Membership) -> None:
    authority = membership.authority
    require(actor, Perm.MEMBER_MANAGE, authority)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _ensure_an_admin_remains(membership, keeps_admin=False)
        user_id = membership.user_id
        membership.delete()
        record(authority, actor, AuthorityEvent.Action.MEMBER_REMOVED, user=user_id)


def _ensure_an_admin_remains(membership: Membership, *, keeps_admin: bool) -> None:
    """An authority must never be left without a local administrator."""
    if keeps_admin:
        return
    others = RoleGrant.objects.filter(
        membership__authority_id=membership.authority_id, role=Role.LOCAL_ADMIN, legal_area__isnull=True
    ).exclude(membership=membership)
    is_admin = membership.roles.filter(role=Role.LOCAL_ADMIN).exists()
    if is_admin and not others.exists():
        raise ValidationError({"roles": _("The authority must keep at least one local administrator.")})


def user_create_local_admin(*, authority: Authority, email: str, full_name: str, password: str) -> User:
    """First user of a self-registered authority (called inside invitation_complete)."""
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    full_name = clean_text(full_name, "admin_name", errors, limit=FULL_NAME_LIMIT)
    if not full_name and not errors:
        errors["admin_name"] = [_("Enter your full name.")]
    if "\x00" in (password or ""):
        errors["admin_password"] = [_("This field contains characters that are not allowed.")]
    if errors:
        raise ValidationError(errors)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "admin_email": _(
                    "An account with this e-mail address already exists; ask your coordinator to add you instead."
                )
            }
        )
    candidate = User(email=email, full_name=full_name)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise ValidationError({"admin_password": exc.messages}) from exc
    user = User.objects.create_user(email=email, password=password, full_name=full_name)
    membership = Membership.objects.create(user=user, authority=authority)
    RoleGrant.objects.create(membership=membership, role=Role.LOCAL_ADMIN)
    return user


def token_issue(*, actor: User, authority: Authority, name: str) -> tuple[ApiToken, str]:
    """Create an API token for ``actor`` scoped to one of its authorities. The raw token is
    returned once and never stored."""
    require(actor, Perm.TOKEN_ISSUE, authority)
    errors: dict[str, list[str]] = {}
    name = clean_text(name, "name", errors, limit=100)
    if errors:
        raise ValidationError(errors)
    if not name:
        raise ValidationError({"name": _("Give the token a name of at most 100 characters.")})
    raw = "oimi_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, authority=authority, name=name, prefix=raw[:12], digest=ApiToken.digest_for(raw)
        )
        record(authority, actor, AuthorityEvent.Action.TOKEN_ISSUED, token=token.prefix)
    return token, raw


def token_revoke(*, actor: User, token: ApiToken) -> None:
    """Revoke an API token at once: its owner, or a local administrator of its authority (for
    a token that leaked, or a colleague who left). Recorded on the authority's history."""
    if token.user_id != actor.pk and not has_role(actor, token.authority_id, Role.LOCAL_ADMIN):
        raise PermissionDenied(_("You are not allowed to do this."))
    with transaction.atomic():
        if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            return  # already revoked: nothing to do
        record(token.authority, actor, AuthorityEvent.Action.TOKEN_REVOKED, token=token.prefix)


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token for a bearer string, touching ``last_used_at`` at most once a minute.
    Tokens of a suspended (or no longer active) authority do not work."""
    # No LIMIT (the digest is unique); the token's user gets their access context here, once
    # for the call, so the roles read to check the token serve every check after it.
    tokens = list(
        ApiToken.objects.select_related("user", "authority").filter(
            digest=ApiToken.digest_for(raw or ""),
            revoked_at__isnull=True,
            user__is_active=True,
            authority__status=AuthorityStatus.ACTIVE,
        )
    )
    token = tokens[0] if tokens else None
    if token is None or not access_of(token.user).is_member(token.authority_id):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
