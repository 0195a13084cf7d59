from openimi.notifications.models import Notification


def notifications_for(user, limit: int = 100):
    """The user's own notifications, newest first (only ever the user's own)."""
    return Notification.objects.filter(recipient=user).select_related("request", "alert")[:limit]


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
