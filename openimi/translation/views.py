"""Callbacks of asynchronous engines. No session: the secret token in the address is the
credential, and an unknown token changes nothing."""

from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from openimi.translation.services import callback_store

MAX_TEXT = 200_000


@csrf_exempt
@require_POST
def etranslation_done(request, token):
    text = request.POST.get("translated-text")
    if text is None or len(text) > MAX_TEXT:
        return HttpResponse("missing translated-text", status=400)
    return HttpResponse("ok") if callback_store(token=token, translated=text) else HttpResponseNotFound("unknown")


@csrf_exempt
@require_POST
def etranslation_error(request, token):
    message = f"{request.POST.get('error-code', '')} {request.POST.get('error-message', '')}".strip()
    return (
        HttpResponse("ok")
        if callback_store(token=token, translated=None, error=message)
        else (HttpResponseNotFound("unknown"))
    )
