"""One decision per field: which of a request's declared personal data a user may see.

Every channel that shows an exchange — the page, the API (detail, list search, machine
translation), the box search, the data-subject searches — asks :func:`visibility_for` (one
request) or :func:`personal_data_visible` (a queryset) instead of deciding for itself, so a
new channel cannot show what the others withhold. The fields are read from
:mod:`openimi.privacy.personal_data` (category SUBJECT): a field declared there later is
withheld everywhere until this module says who may see it.

The rule (IMI Regulation 1024/2012 Art. 14: personal data only as long as necessary):

- only the two participating authorities (members with any role in the legal area, observers
  included) ever see it; an involved coordinator (approval, referral, escalation) does not;
- the responder only once the request is sent, never while it is a draft or awaiting the
  sender's coordinator's approval;
- the responder no longer once the requester withdrew the request before the responder
  accepted it: it has nothing left to do with the data (it keeps reference and state);
- nobody once retention blocked (or deleted) it — data-subject requests excepted, which
  read it through :mod:`openimi.privacy` with their own audit entry.

This module must not import views or API code; they import it."""

from dataclasses import dataclass

from django.db.models import Q

from openimi.directory.permissions import roles_of
from openimi.exchanges import permissions
from openimi.exchanges.models import InformationRequest, State
from openimi.privacy.personal_data import SUBJECT, fields_of

# Field names as channels ask for them: the request's own fields bare, the others prefixed.
MODELS = {
    "exchanges.InformationRequest": "",
    "exchanges.Answer": "answer.",
    "exchanges.Message": "message.",
    "exchanges.Attachment": "attachment.",
    "privacy.ContestMark": "contest_mark.",
}
SUBJECT_FIELDS = frozenset(prefix + name for label, prefix in MODELS.items() for name in fields_of(label, SUBJECT))
# The requester withdrew before the responder accepted: the responder's access to the data ends.
WITHDRAWN_BEFORE_ACCEPTANCE = Q(state=State.WITHDRAWN, accepted_at__isnull=True)


@dataclass(frozen=True)
class Visibility:
    """What one user may see of one request's personal data."""

    fields: frozenset[str] = frozenset()

    @property
    def personal_data(self) -> bool:
        return bool(self.fields)

    def shows(self, name: str) -> bool:
        if name not in SUBJECT_FIELDS:
            # A typo or an undeclared field must fail loudly, never fall through to "shown".
            raise KeyError(f"{name!r} is not a declared personal-data field of an exchange")
        return name in self.fields

    def redact(self, name: str, value, withheld=None):
        """``value`` if the user may see field ``name``, else ``withheld``."""
        return value if self.shows(name) else withheld


NOTHING = Visibility()
EVERYTHING = Visibility(SUBJECT_FIELDS)


def withdrawn_before_acceptance(request: InformationRequest) -> bool:
    return request.state == State.WITHDRAWN and request.accepted_at is None


def visibility_for(user, request: InformationRequest) -> Visibility:
    """Which personal-data fields of ``request`` ``user`` may see (see the module's rule)."""
    if request.personal_data_blocked_at is not None or request.personal_data_deleted_at is not None:
        return NOTHING
    if permissions.is_requester_member(user, request):
        return EVERYTHING
    if permissions.is_responder_member(user, request) and not withdrawn_before_acceptance(request):
        return EVERYTHING
    return NOTHING


def side_filter(user, field: str) -> Q:
    """Requests where one of the user's authorities is on side ``field`` ("requester" or
    "responder") and the user holds a role in the request's legal area."""
    query = Q(pk__in=[])
    for authority_id, grants in roles_of(user).items():
        part = Q(**{f"{field}_id": authority_id})
        if all(area is not None for _role, area in grants):
            part &= Q(legal_area_id__in={area for _role, area in grants})
        query |= part
    return query


def responder_side(user) -> Q:
    """Requests the user receives as a member of the responder, once they are sent."""
    return side_filter(user, "responder") & permissions.REACHED_RESPONDER


def personal_data_visible(user) -> Q:
    """The queryset form of :func:`visibility_for`: requests whose personal data ``user``
    may see (a test checks that the two agree)."""
    return Q(personal_data_blocked_at__isnull=True, personal_data_deleted_at__isnull=True) & (
        side_filter(user, "requester") | (responder_side(user) & ~WITHDRAWN_BEFORE_ACCEPTANCE)
    )


def held_by(authority_id: int) -> Q:
    """Requests whose personal data an authority holds, for data-subject requests: blocked
    data included (it is still held; that path audits every reading), but not what the
    authority never received or no longer has access to."""
    return Q(requester_id=authority_id) | (
        Q(responder_id=authority_id) & permissions.REACHED_RESPONDER & ~WITHDRAWN_BEFORE_ACCEPTANCE
    )
