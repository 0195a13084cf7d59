from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext

from openimi.directory.permissions import Perm, admin_authority_ids, has_perm, scopes_of
from openimi.notifications.selectors import unread_count

# An authority's users pages belong to the "Users" entry, not to "Directory".
USERS_PAGES = {"directory:members", "directory:member_edit"}


def navigation(request) -> list[dict[str, Any]]:
    user = request.user
    items: list[dict[str, Any]] = [{"url": reverse("web:home"), "label": _("Home")}]
    if not user.is_authenticated:
        return items
    items.append({"url": reverse("exchanges:inbox"), "label": _("Requests")})
    items.append({"url": reverse("directory:list"), "label": _("Directory")})
    if scopes_of(user):
        items.append({"url": reverse("exchanges:coordination"), "label": _("Coordination")})
    if has_perm(user, Perm.COORDINATOR_APPOINT_NATIONAL):
        items.append({"url": reverse("directory:operator"), "label": _("Countries and coordinators")})
    if admin_authority_ids(user):
        items.append({"url": reverse("directory:users"), "label": _("Users")})
        items.append({"url": reverse("privacy:subject_requests"), "label": _("Data protection")})
    elif scopes_of(user):
        items.append({"url": reverse("privacy:audit"), "label": _("Data protection")})
    unread = unread_count(user)
    # The number of unread ones is a badge: a short entry whatever the language.
    items.append(
        {
            "url": reverse("notifications:list"),
            "label": _("Notifications"),
            "badge": unread,
            "badge_label": npgettext("notifications", "new", "new", unread),
        }
    )
    # "My account" is the user's name in the header: the menu keeps to the work.
    # One current entry: the longest address that the page's is or starts with ("Users" at
    # /directory/users/ rather than "Directory" at /directory/).
    page = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in USERS_PAGES and admin_authority_ids(user):
        page = reverse("directory:users")
    matching = [i for i in items if page == i["url"] or (i["url"] != "/" and page.startswith(i["url"]))]
    current = max(matching, key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["current"] = item is current
    return items


def openimi(request) -> dict:
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        # The languages' own names, from the one list (settings.LANGUAGES) that the account's
        # and the message's language menus use too: spelt alike everywhere.
        "INTERFACE_LANGUAGES": settings.LANGUAGES,
        "nav_items": navigation(request) if hasattr(request, "user") else [],
    }
