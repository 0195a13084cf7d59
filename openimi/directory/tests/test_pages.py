"""Pages, per persona: what each sees and may do, and that bad input changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from openimi.directory.models import Authority, AuthorityStatus, AuthorityText
from openimi.lib import formats
from openimi.tests.factories import AuthorityFactory


def test_health_endpoint_reports_database_and_migrations(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "pending_migrations": 0}


def test_anonymous_visitors_see_only_the_home_page(db, fr_authority):
    client = Client()
    assert client.get("/").status_code == 200
    for url in [reverse("directory:list"), reverse("directory:detail", args=[fr_authority.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_directory_lists_active_authorities_with_filters(client_for, fr_handler, fr_authority, de_authority):
    AuthorityFactory(country_id="DE", status=AuthorityStatus.PENDING, official_name="Unvalidated office")
    client = client_for(fr_handler)
    page = client.get(reverse("directory:list"), {"country": "DE"}).content.decode()
    assert "Architektenkammer Berlin" in page
    assert "Unvalidated office" not in page
    assert "Ordre des architectes" not in page


def test_directory_list_query_count_is_bounded(client_for, fr_handler, django_assert_max_num_queries):
    AuthorityFactory.create_batch(30, country_id="PL", areas=["services", "posting_of_workers"])
    client = client_for(fr_handler)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("directory:list"), {"country": "PL"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"page": "x"},
        {"country": "ZZZ"},
        {"legal_area": "<script>"},
        {"q": "\x00" * 50},
        {"status": "deleted"},
        {"q": "a" * 10_000},
    ],
)
def test_odd_filters_never_break_the_directory(client_for, fr_handler, params):
    assert client_for(fr_handler).get(reverse("directory:list"), params).status_code == 200


def test_profile_shows_users_and_history_only_to_insiders(
    client_for, fr_admin, fr_handler, de_admin, outsider, fr_coordinator, fr_authority
):
    url = reverse("directory:detail", args=[fr_authority.pk])
    for user in (fr_admin, fr_coordinator):
        assert "François Petit" in client_for(user).get(url).content.decode()
    for user in (de_admin, outsider):
        page = client_for(user).get(url).content.decode()
        assert "Ordre des architectes" in page
        assert "François Petit" not in page and "Alice Durand" not in page


def test_unknown_or_hidden_authority_is_404(client_for, outsider):
    hidden = AuthorityFactory(country_id="DE", status=AuthorityStatus.PENDING)
    client = client_for(outsider)
    assert client.get(reverse("directory:detail", args=[hidden.pk])).status_code == 404
    assert client.get("/directory/999999/").status_code == 404


@pytest.mark.parametrize("name", ["edit", "areas", "members"])
def test_other_authorities_cannot_open_management_pages(client_for, de_admin, outsider, fr_authority, name):
    for user in (de_admin, outsider):
        response = client_for(user).get(reverse(f"directory:{name}", args=[fr_authority.pk]))
        assert response.status_code == 403


def test_state_changes_need_post_and_permission(client_for, de_coordinator, fr_authority):
    client = client_for(de_coordinator)
    assert client.get(reverse("directory:suspend", args=[fr_authority.pk])).status_code == 405
    assert client.post(reverse("directory:suspend", args=[fr_authority.pk]), {"reason": "x"}).status_code == 403
    fr_authority.refresh_from_db()
    assert fr_authority.status == AuthorityStatus.ACTIVE


def test_coordinator_registers_through_the_page(client_for, fr_coordinator):
    client = client_for(fr_coordinator)
    assert client.get(reverse("directory:register")).status_code == 200
    response = client.post(
        reverse("directory:register"),
        {
            "official_name": "Mairie de Dijon",
            "official_language": "fr",
            "kind": "municipality",
            "country": "FR",
            "region": "FR-21",
            "city": "Dijon",
            "title": "Dijon city council",
            "title_language": "en",
            "legal_areas": ["services"],
            "competences": ["building_permits"],
        },
    )
    authority = Authority.objects.get(official_name="Mairie de Dijon")
    assert response.status_code == 302 and response.url == reverse("directory:detail", args=[authority.pk])


def test_registration_errors_are_shown_in_the_users_language_and_nothing_is_saved(client_for, fr_coordinator):
    response = client_for(fr_coordinator).post(
        reverse("directory:register"),
        {
            "official_name": "Mairie de Dijon",
            "official_language": "fr",
            "kind": "municipality",
            "country": "FR",
            "region": "FR-21",
            "email": "pas une adresse",
            "legal_areas": ["posting_of_workers"],
            "competences": ["architect"],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Saisissez une adresse" in page or "adresse électronique valide" in page
    assert not Authority.objects.filter(official_name="Mairie de Dijon").exists()


def test_handler_cannot_open_coordinator_pages(client_for, fr_handler):
    client = client_for(fr_handler)
    assert client.get(reverse("directory:register")).status_code == 403
    assert client.get(reverse("directory:import")).status_code == 403
    assert client.get(reverse("exchanges:coordination")).status_code == 404
    assert client.get(reverse("directory:operator")).status_code == 403


def test_invitation_page_flow(client_for, fr_coordinator, mailbox):
    client = client_for(fr_coordinator)
    response = client.post(
        reverse("directory:invite"),
        {
            "official_name": "Mairie de Reims",
            "email": "contact@reims.example",
            "country": "FR",
            "legal_areas": ["services"],
        },
    )
    assert response.status_code == 200
    link = response.context["link"]
    join = Client()
    assert join.get(link).status_code == 200
    response = join.post(
        link,
        {
            "official_name": "Mairie de Reims",
            "official_language": "fr",
            "kind": "municipality",
            "city": "Reims",
            "admin_name": "Romain Roux",
            "admin_password": "un mot de passe solide 2026",
            "admin_password2": "un mot de passe solide 2026",
        },
    )
    assert response.status_code == 200
    assert Authority.objects.get(official_name="Mairie de Reims").status == AuthorityStatus.PENDING
    again = join.get(link)
    assert again.status_code == 410


def test_a_forged_invitation_link_is_refused(db):
    response = Client().get(reverse("directory:join", args=["forged-token"]))
    assert response.status_code == 410


def test_local_admin_manages_users(client_for, fr_admin, fr_handler, fr_authority, mailbox):
    client = client_for(fr_admin)
    response = client.post(
        reverse("directory:members", args=[fr_authority.pk]),
        {"email": "new.person@architectes.example", "full_name": "Nouvelle Personne", "roles": ["observer:*"]},
    )
    assert response.status_code == 302
    membership = fr_authority.memberships.get(user__email="new.person@architectes.example")
    assert [g.role for g in membership.roles.all()] == ["observer"]
    response = client.post(
        reverse("directory:members", args=[fr_authority.pk]),
        {"email": "new.person@architectes.example", "full_name": "Again", "roles": ["observer:*"]},
    )
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()


def test_the_last_local_administrator_cannot_be_removed(client_for, fr_admin, fr_authority):
    membership = fr_authority.memberships.get(user=fr_admin)
    client = client_for(fr_admin)
    response = client.post(reverse("directory:member_edit", args=[fr_authority.pk, membership.pk]), {"remove": "1"})
    assert response.status_code == 200
    assert fr_authority.memberships.filter(user=fr_admin).exists()


def test_members_of_another_authority_cannot_be_reached(client_for, de_admin, fr_admin, fr_authority):
    membership = fr_authority.memberships.get(user=fr_admin)
    response = client_for(de_admin).post(
        reverse("directory:member_edit", args=[fr_authority.pk, membership.pk]), {"remove": "1"}
    )
    assert response.status_code == 403
    assert fr_authority.memberships.filter(user=fr_admin).exists()


def test_operator_sees_countries_but_no_members(client_for, operator, fr_authority, fr_handler):
    client = client_for(operator)
    assert client.get(reverse("directory:operator")).status_code == 200
    page = client.get(reverse("directory:detail", args=[fr_authority.pk])).content.decode()
    assert "François Petit" not in page


def test_admin_sign_in_goes_through_the_second_factor(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_operator_has_no_admin_site(client_for, operator):
    # The operator works on OpenIMI's own pages; the admin is for a break-glass superuser only.
    assert client_for(operator).get("/admin/directory/authority/").status_code == 404


def test_roles_can_be_limited_to_one_legal_area(client_for, fr_admin, fr_authority):
    client = client_for(fr_admin)
    response = client.post(
        reverse("directory:members", args=[fr_authority.pk]),
        {
            "email": "pq.only@architectes.example",
            "full_name": "Paul Quentin",
            "roles": ["request_handler:professional_qualifications"],
        },
    )
    assert response.status_code == 302
    grant = fr_authority.memberships.get(user__email="pq.only@architectes.example").roles.get()
    assert (grant.role, grant.legal_area_id) == ("request_handler", "professional_qualifications")


def test_roles_in_areas_the_authority_lacks_are_refused(client_for, fr_admin, fr_authority):
    response = client_for(fr_admin).post(
        reverse("directory:members", args=[fr_authority.pk]),
        {"email": "x@architectes.example", "full_name": "X", "roles": ["request_handler:services"]},
    )
    assert response.status_code == 200
    assert not fr_authority.memberships.filter(user__email="x@architectes.example").exists()


def test_the_old_coordination_address_leads_to_the_page(client_for, fr_coordinator):
    response = client_for(fr_coordinator).get("/directory/coordination/")
    assert response.status_code == 301
    assert response["Location"] == reverse("exchanges:coordination")


def _banner(page: str) -> str:
    opening = '<p class="govuk-notification-banner__heading">'
    start = page.index(opening) + len(opening)
    return page[start : page.index("</p>", start)]


def test_adding_an_existing_account_says_they_sign_in_with_their_password(
    client_for, fr_admin, fr_authority, de_handler, mailbox, django_capture_on_commit_callbacks
):
    client = client_for(fr_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:members", args=[fr_authority.pk]),
            # The name typed differs from the account's: the banner names the account's holder.
            {"email": de_handler.email.upper(), "full_name": "Paul Wagner", "roles": ["observer:*"]},
            follow=True,
        )
    with translation.override(fr_admin.language):
        expected = gettext("%(name)s has been added. They sign in with their existing password.") % {
            "name": de_handler.full_name
        }
    assert _banner(response.content.decode()) == escape(expected)
    assert fr_authority.memberships.filter(user=de_handler).exists()
    assert mailbox.wait(1, timeout=0.5) == []


def test_adding_a_new_account_sends_the_password_mail(
    client_for, fr_admin, fr_authority, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(fr_admin).post(
            reverse("directory:members", args=[fr_authority.pk]),
            {"email": "paul.wagner@architectes.example", "full_name": "Paul Wagner", "roles": ["observer:*"]},
            follow=True,
        )
    with translation.override(fr_admin.language):
        expected = gettext("%(name)s has been added and will receive an e-mail to choose a password.") % {
            "name": "Paul Wagner"
        }
    assert _banner(response.content.decode()) == escape(expected)
    assert [m["To"] for m in mailbox.wait(1)] == ["paul.wagner@architectes.example"]


def test_invitations_say_until_when_they_are_valid(client_for, fr_coordinator, mailbox):
    client = client_for(fr_coordinator)
    response = client.post(
        reverse("directory:invite"),
        {
            "official_name": "Mairie de Reims",
            "email": "contact@reims.example",
            "country": "FR",
            "legal_areas": ["services"],
        },
    )
    invitation = Authority.objects.get(official_name="Mairie de Reims").invitation
    with translation.override(fr_coordinator.language):
        sentence = gettext("This link can be used once and expires on %(date)s.") % {
            "date": formats.datetime_long(invitation.expires_at)
        }
        short = gettext("valid until %(date)s") % {"date": formats.date_short(invitation.expires_at)}
    assert f'<p class="govuk-body" data-testid="invitation-expiry">{sentence}</p>' in response.content.decode()
    desk = client.get(reverse("exchanges:coordination")).content.decode()
    assert f"contact@reims.example · {short}</span>" in desk


def test_an_authority_s_subtitle_is_in_the_reader_s_language_where_it_exists(client_for, fr_handler, de_authority):
    AuthorityText.objects.update_or_create(
        authority=de_authority, language_id="en", defaults={"title": "Chamber of Architects, Berlin"}
    )
    client = client_for(fr_handler)  # reads French
    detail = client.get(reverse("directory:detail", args=[de_authority.pk])).content.decode()
    listing = client.get(reverse("directory:list"), {"country": "DE"}).content.decode()
    # Only English exists: shown, marked as English for screen readers.
    assert '<div lang="en"><p class="govuk-body-l">Chamber of Architects, Berlin</p>' in detail
    assert 'lang="en">Chamber of Architects, Berlin</p>' in listing
    AuthorityText.objects.create(authority=de_authority, language_id="fr", title="Chambre des architectes de Berlin")
    detail = client.get(reverse("directory:detail", args=[de_authority.pk])).content.decode()
    listing = client.get(reverse("directory:list"), {"country": "DE"}).content.decode()
    assert '<div><p class="govuk-body-l">Chambre des architectes de Berlin</p>' in detail
    assert '<p class="govuk-body govuk-!-margin-bottom-1">Chambre des architectes de Berlin</p>' in listing
    assert "Chamber of Architects, Berlin" not in detail + listing
