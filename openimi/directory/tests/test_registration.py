from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openimi.accounts.models import Role, User
from openimi.directory import services
from openimi.directory.models import Authority, AuthorityEvent, AuthorityStatus, Invitation
from openimi.directory.services import AuthorityData
from openimi.tests.factories import AuthorityFactory, UserFactory, coordinator, member


def chamber(**overrides) -> AuthorityData:
    values = dict(
        official_name="Chambre de métiers et de l'artisanat de Lyon",
        official_language="fr",
        country="FR",
        kind="chamber",
        region="FR-ARA",
        city="Lyon",
        email="contact@cma-lyon.example",
        texts={"en": ("Chamber of Trades and Crafts, Lyon", "Registers craftspeople.")},
        legal_areas=["services"],
        competences=["crafts", "business_registration"],
    )
    values.update(overrides)
    return AuthorityData(**values)


def test_coordinator_registers_an_authority_that_is_listed_at_once(fr_coordinator, fr_coordinator_authority):
    authority = services.authority_register(actor=fr_coordinator, data=chamber())
    assert authority.status == AuthorityStatus.ACTIVE
    assert authority.parent_coordinator == fr_coordinator_authority
    assert set(authority.competences.values_list("code", flat=True)) == {"crafts", "business_registration"}
    assert authority.texts.get(language_id="en").title == "Chamber of Trades and Crafts, Lyon"
    assert authority.events.filter(action=AuthorityEvent.Action.REGISTERED, actor=fr_coordinator).exists()


def test_handler_cannot_register_authorities(fr_handler):
    with pytest.raises(PermissionDenied):
        services.authority_register(actor=fr_handler, data=chamber())
    assert not Authority.objects.filter(city="Lyon", official_name__startswith="Chambre").exists()


def test_coordinator_cannot_register_in_another_country(de_coordinator):
    with pytest.raises(PermissionDenied):
        services.authority_register(actor=de_coordinator, data=chamber())
    assert not Authority.objects.filter(official_name__startswith="Chambre de métiers").exists()


def test_regional_coordinator_stays_in_its_region(fr_coordinator_authority):
    delegated = AuthorityFactory(official_name="Préfecture de la région Bretagne", country_id="FR", city="Rennes")
    coordinator(delegated, "delegated", regions=["FR-BRE"])
    user = UserFactory()
    member(user, delegated, Role.LOCAL_ADMIN)
    with pytest.raises(PermissionDenied):
        services.authority_register(actor=user, data=chamber())
    authority = services.authority_register(
        actor=user, data=chamber(region="FR-35", city="Rennes", official_name="CMA d'Ille-et-Vilaine")
    )
    assert authority.region_id == "FR-35"


def test_invalid_data_names_each_field_and_saves_nothing(fr_coordinator):
    before = Authority.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.authority_register(
            actor=fr_coordinator,
            data=chamber(
                official_name=" ",
                region="DE-BE",
                email="not-an-address",
                website="javascript:alert(1)",
                competences=["architect"],
                legal_areas=["services", "no_such_area"],
            ),
        )
    errors = caught.value.message_dict
    assert set(errors) >= {"official_name", "region", "email", "website", "competences", "legal_areas"}
    assert Authority.objects.count() == before


def test_duplicate_registration_is_refused(fr_coordinator):
    services.authority_register(actor=fr_coordinator, data=chamber())
    with pytest.raises(ValidationError) as caught:
        services.authority_register(
            actor=fr_coordinator, data=chamber(official_name="CHAMBRE DE MÉTIERS ET DE L'ARTISANAT DE LYON".lower())
        )
    assert "official_name" in caught.value.message_dict


def test_invitation_then_completion_then_validation(fr_coordinator, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        authority, link = services.authority_invite(
            actor=fr_coordinator,
            email="accueil@mairie-nantes.example",
            official_name="Mairie de Nantes",
            country="FR",
            region="FR-44",
            legal_areas=["services"],
        )
    assert authority.status == AuthorityStatus.INVITED
    mail = mailbox.wait(1)[0]
    assert mail["To"] == "accueil@mairie-nantes.example"
    assert link in mail.get_content()
    assert "Mairie de Nantes" in mail["Subject"]
    token = link.rstrip("/").rsplit("/", 1)[1]

    data = chamber(
        official_name="Mairie de Nantes",
        city="Nantes",
        region="FR-44",
        competences=["trade_licence"],
        country="DE",
        legal_areas=["posting_of_workers"],
    )
    services.invitation_complete(
        raw_token=token, data=data, admin_name="Nina Leroy", admin_password="un mot de passe solide 2026"
    )
    authority.refresh_from_db()
    assert authority.status == AuthorityStatus.PENDING
    # The invitee could not move the entry to another country or widen its legal areas.
    assert authority.country_id == "FR"
    assert list(authority.area_grants.values_list("legal_area_id", flat=True)) == ["services"]
    admin = User.objects.get(email="accueil@mairie-nantes.example")
    assert admin.memberships.get().roles.get().role == Role.LOCAL_ADMIN

    with django_capture_on_commit_callbacks(execute=True):
        services.authority_validate(actor=fr_coordinator, authority=authority)
    authority.refresh_from_db()
    assert authority.status == AuthorityStatus.ACTIVE and authority.validated_at is not None
    assert [e.action for e in authority.events.order_by("at", "id")] == ["invited", "completed", "validated"]


def test_a_used_invitation_cannot_be_used_again(fr_coordinator):
    _authority, link = services.authority_invite(
        actor=fr_coordinator, email="a@b.example", official_name="Mairie de Brest", country="FR"
    )
    token = link.rstrip("/").rsplit("/", 1)[1]
    data = chamber(official_name="Mairie de Brest", city="Brest", region=None, competences=[])
    services.invitation_complete(
        raw_token=token, data=data, admin_name="A B", admin_password="un mot de passe solide 2026"
    )
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_complete(
            raw_token=token, data=data, admin_name="C D", admin_password="un autre mot de passe 2026"
        )
    assert User.objects.filter(full_name="C D").count() == 0


def test_an_expired_invitation_is_refused(fr_coordinator):
    authority, link = services.authority_invite(
        actor=fr_coordinator, email="a@b.example", official_name="Mairie de Caen", country="FR"
    )
    Invitation.objects.filter(authority=authority).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_get(link.rstrip("/").rsplit("/", 1)[1])


def test_a_weak_password_keeps_the_invitation_open(fr_coordinator):
    authority, link = services.authority_invite(
        actor=fr_coordinator, email="w@b.example", official_name="Mairie de Tours", country="FR"
    )
    token = link.rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(ValidationError) as caught:
        services.invitation_complete(
            raw_token=token,
            data=chamber(official_name="Mairie de Tours", city="Tours", competences=[]),
            admin_name="W",
            admin_password="password",
        )
    assert "admin_password" in caught.value.message_dict
    authority.refresh_from_db()
    assert authority.status == AuthorityStatus.INVITED
    assert services.invitation_get(token).used_at is None


def test_validation_only_from_pending(fr_coordinator, fr_authority):
    with pytest.raises(ValidationError):
        services.authority_validate(actor=fr_coordinator, authority=fr_authority)


def test_suspend_needs_a_reason_and_a_coordinator_in_scope(fr_coordinator, de_coordinator, fr_authority, fr_admin):
    with pytest.raises(ValidationError):
        services.authority_suspend(actor=fr_coordinator, authority=fr_authority, reason="  ")
    with pytest.raises(PermissionDenied):
        services.authority_suspend(actor=de_coordinator, authority=fr_authority, reason="Not mine")
    with pytest.raises(PermissionDenied):
        services.authority_suspend(actor=fr_admin, authority=fr_authority, reason="Myself")
    services.authority_suspend(actor=fr_coordinator, authority=fr_authority, reason="Merged into another body")
    fr_authority.refresh_from_db()
    assert fr_authority.status == AuthorityStatus.SUSPENDED
    services.authority_reactivate(actor=fr_coordinator, authority=fr_authority)
    fr_authority.refresh_from_db()
    assert fr_authority.status == AuthorityStatus.ACTIVE


def test_area_coordinator_cannot_grant_other_areas(fr_coordinator_authority, fr_authority):
    delegated = AuthorityFactory(official_name="Coordination PQ", country_id="FR")
    coordinator(delegated, "delegated", areas=["professional_qualifications"])
    user = UserFactory()
    member(user, delegated, Role.LOCAL_ADMIN)
    with pytest.raises(PermissionDenied):
        services.authority_set_areas(
            actor=user, authority=fr_authority, legal_areas=["professional_qualifications", "services"], competences=[]
        )
    services.authority_set_areas(
        actor=user, authority=fr_authority, legal_areas=["professional_qualifications"], competences=["architect"]
    )
    assert list(fr_authority.competences.values_list("code", flat=True)) == ["architect"]


def test_local_admin_edits_own_authority_but_not_country_or_areas(fr_admin, fr_authority):
    data = AuthorityData.from_authority(fr_authority)
    data.phone = "+33 1 23 45 67 89"
    data.country = "DE"
    data.legal_areas = ["services", "posting_of_workers"]
    services.authority_update(actor=fr_admin, authority=fr_authority, data=data)
    fr_authority.refresh_from_db()
    assert fr_authority.phone == "+33 1 23 45 67 89"
    assert fr_authority.country_id == "FR"
    assert list(fr_authority.area_grants.values_list("legal_area_id", flat=True)) == ["professional_qualifications"]
    assert fr_authority.events.get(action="updated").data["fields"] == ["phone"]


def test_admin_of_another_authority_cannot_edit(de_admin, fr_authority):
    with pytest.raises(PermissionDenied):
        services.authority_update(
            actor=de_admin, authority=fr_authority, data=AuthorityData.from_authority(fr_authority)
        )


def test_only_operator_appoints_national_coordinators(operator, fr_coordinator, de_authority):
    with pytest.raises(PermissionDenied):
        services.coordinator_appoint(actor=fr_coordinator, authority=de_authority, kind="national")
    with pytest.raises(ValidationError):  # Germany has none yet, but France already has one
        services.coordinator_appoint(actor=operator, authority=AuthorityFactory(country_id="FR"), kind="national")
    function = services.coordinator_appoint(actor=operator, authority=de_authority, kind="national")
    assert function.country_id == "DE"


def test_national_coordinator_appoints_delegated_only_in_its_country(fr_coordinator, fr_authority, de_authority):
    with pytest.raises(PermissionDenied):
        services.coordinator_appoint(actor=fr_coordinator, authority=de_authority, kind="delegated")
    function = services.coordinator_appoint(
        actor=fr_coordinator,
        authority=fr_authority,
        kind="delegated",
        legal_areas=["professional_qualifications"],
        regions=["FR-IDF"],
    )
    assert list(function.regions.values_list("code", flat=True)) == ["FR-IDF"]


def test_operator_bootstraps_a_country(operator, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        authority = services.national_coordinator_register(
            actor=operator,
            data=AuthorityData(
                official_name="Ministerstvo průmyslu a obchodu",
                official_language="cs",
                country="CZ",
                kind="ministry",
                email="imi@mpo.example",
            ),
            admin_email="jana.novakova@mpo.example",
            admin_name="Jana Nováková",
        )
    assert authority.coordinator_functions.get().kind == "national"
    mail = mailbox.wait(1)[0]
    assert mail["To"] == "jana.novakova@mpo.example"
    assert "/accounts/password/reset/" in mail.get_content()
