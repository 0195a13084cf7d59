"""Local administrators reach their users from the menu, and read what each role may do."""

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from openimi.accounts.models import ROLE_DESCRIPTIONS, Role, role_descriptions
from openimi.tests.factories import AuthorityFactory, member


def _menu(page: str) -> str:
    return page[page.index('<nav class="openimi-nav"') : page.index("</nav>")]


def test_every_role_has_a_description():
    assert set(ROLE_DESCRIPTIONS) == set(Role)
    assert [label for label, _d in role_descriptions()] == [r.label for r in Role]


def test_a_local_administrator_has_a_users_entry_leading_to_the_users_page(client_for, fr_admin, fr_authority):
    client = client_for(fr_admin)
    with translation.override(fr_admin.language):
        users = translation.gettext("Users")
    home = client.get(reverse("web:home")).content.decode()
    assert f'href="{reverse("directory:users")}">{users}</a>' in _menu(home)
    response = client.get(reverse("directory:users"))
    assert response.status_code == 302 and response.url == reverse("directory:members", args=[fr_authority.pk])
    page = client.get(response.url).content.decode()
    assert f'href="{reverse("directory:users")}" aria-current="page">{users}</a>' in _menu(page)
    assert page.count('aria-current="page"') == 1


def test_the_users_page_describes_each_role(client_for, fr_admin, fr_authority):
    page = client_for(fr_admin).get(reverse("directory:members", args=[fr_authority.pk])).content.decode()
    with translation.override(fr_admin.language):
        rows = [(escape(str(label)), escape(str(text))) for label, text in role_descriptions()]
    for label, text in rows:
        assert (
            f'<dt class="govuk-summary-list__key">{label}</dt><dd class="govuk-summary-list__value">{text}</dd>'
        ) in page


def test_an_administrator_of_two_authorities_chooses_one(client_for, fr_admin, fr_authority):
    other = AuthorityFactory(official_name="Ordre des architectes de Lyon", country_id="FR")
    member(fr_admin, other, "local_admin")
    page = client_for(fr_admin).get(reverse("directory:users")).content.decode()
    for authority in (fr_authority, other):
        assert f'<a class="govuk-link" href="{reverse("directory:members", args=[authority.pk])}">' in page
    assert 'data-testid="role-descriptions"' in page


def test_handlers_have_no_users_entry(client_for, fr_handler):
    client = client_for(fr_handler)
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("directory:users") not in home
    assert client.get(reverse("directory:users")).status_code == 404
