"""Timeline events of uploads named the file (``data["name"]``), which can carry the data
subject's name and outlived the attachment that retention deletes. They now hold the
attachment's id; the name is read through the attachment while it exists."""

from django.db import migrations

BATCH = 1000


def names_to_ids(apps, schema_editor):
    RequestEvent = apps.get_model("exchanges", "RequestEvent")
    Attachment = apps.get_model("exchanges", "Attachment")
    last = 0
    while True:
        events = list(
            RequestEvent.objects.filter(action="attachment_added", pk__gt=last, data__has_key="name").order_by("pk")[
                :BATCH
            ]
        )
        if not events:
            break
        last = events[-1].pk
        for event in events:
            name = event.data.pop("name")
            # The attachment of that request with that name, uploaded by that actor at the
            # event's moment or just before (the row is saved before its event).
            match = (
                Attachment.objects.filter(
                    request_id=event.request_id,
                    original_name=name,
                    uploaded_by_id=event.actor_id,
                    created_at__lte=event.at,
                )
                .order_by("-created_at", "-pk")
                .values_list("pk", flat=True)
                .first()
            )
            if match is not None:
                event.data["attachment"] = match
        RequestEvent.objects.bulk_update(events, ["data"])


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0002_retention")]

    operations = [migrations.RunPython(names_to_ids, migrations.RunPython.noop)]
