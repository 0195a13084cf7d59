"""Reads for the operator's pages. The network statistics are counts only: they name no
person and show nothing of what authorities exchange."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Count

from openimi.accounts.models import User
from openimi.core.models import Country
from openimi.directory.models import Authority, AuthorityStatus
from openimi.directory.permissions import Perm, has_perm
from openimi.exchanges.models import InformationRequest, State


def network_statistics(*, actor) -> dict:
    """Authorities by status and requests by state, per country (of the requesting authority)."""
    if not has_perm(actor, Perm.NETWORK_STATISTICS_VIEW):
        raise PermissionDenied
    authorities: dict[str, dict[str, int]] = defaultdict(dict)
    for row in Authority.objects.values("country_id", "status").annotate(n=Count("id")).order_by():
        authorities[row["country_id"]][row["status"]] = row["n"]
    requests: dict[str, dict[str, int]] = defaultdict(dict)
    for row in InformationRequest.objects.values("requester__country_id", "state").annotate(n=Count("id")).order_by():
        requests[row["requester__country_id"]][row["state"]] = row["n"]
    rows = [
        {
            "country": country,
            "authorities": [authorities[country.code].get(s, 0) for s in AuthorityStatus.values],
            "requests": [requests[country.code].get(s, 0) for s in State.values],
        }
        for country in Country.objects.filter(code__in={*authorities, *requests})
    ]
    return {
        "rows": rows,
        "statuses": AuthorityStatus.labels,
        "states": State.labels,
        "users": User.objects.filter(is_active=True).count(),
    }
