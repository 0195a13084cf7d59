"""Language names are spelt the same in the header's menu and in the account's menu (one list)."""

import re

from django.conf import settings
from django.urls import reverse


def _options(html: str, select_name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def test_both_language_menus_name_languages_alike(client_for, fr_handler):
    page = client_for(fr_handler).get(reverse("accounts:profile")).content.decode()
    header = _options(page[: page.index("</header>")], "language")
    account = _options(page[page.index("</header>") :], "language")
    assert header == account == list(settings.LANGUAGES)
    assert ("cs", "čeština") in header and ("nb", "norsk") in header
