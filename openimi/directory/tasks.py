"""The invitation mail. Its link lets anyone register an authority, so the queued task (stored
in the database with its arguments) names the invitation only and the link is made at send time."""

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from openimi.directory.models import Authority, Invitation
from openimi.notifications.tasks import mail_render, mail_send


def invitation_link(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("directory:join", args=[invitation.token])


@task()
def send_invitation(*, invitation_id: int) -> None:
    """Mail an open invitation in the authority's official language (English if OpenIMI has no
    interface in it); one already used or expired is not sent."""
    invitation = Invitation.objects.select_related("authority").filter(pk=invitation_id).first()
    if invitation is None or invitation.used_at is not None or invitation.is_expired:
        return
    authority = invitation.authority
    if authority.parent_coordinator_id is None:  # invitations are sent by a coordinator
        return
    coordinator = Authority.objects.only("official_name").get(pk=authority.parent_coordinator_id)
    language = authority.official_language_id
    subject, body = mail_render(
        template="invitation",
        context={
            "official_name": authority.official_name,
            "coordinator": coordinator.official_name,
            "link": invitation_link(invitation),
            "expires_at": invitation.expires_at,
        },
        language=language if language in dict(settings.LANGUAGES) else "en",
    )
    mail_send(to=[invitation.email], subject=subject, body=body)
