from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openimi.notifications import selectors, services


@login_required
def notification_list_view(request):
    return render(request, "notifications/list.html", {"notifications": selectors.notifications_for(request.user)})


@login_required
@require_POST
def notifications_read_view(request):
    services.notifications_mark_read(actor=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mode_view(request):
    try:
        services.notification_mode_set(actor=request.user, mode=request.POST.get("notification_mode", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your e-mail preference has been saved."))
    return redirect("accounts:profile")
