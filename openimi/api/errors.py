"""One error format for the whole API: ``{"errors": [{"field": ..., "message": ...}]}``.

Messages are translated into the language the client asks for (Accept-Language)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from openimi.exchanges.attachments import ScanUnavailable
from openimi.exchanges.services import RequestChanged


class RateLimited(Exception):
    """The token has used up its requests for now (settings.API_RATE_LIMIT)."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def error_response(api: NinjaAPI, request, status: int, errors: list[dict]):
    return api.create_response(request, {"errors": errors}, status=status)


def _location(loc) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "data", "filters")]
    return ".".join(parts) or None


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def on_invalid(request, exc):
        errors = []
        for error in exc.errors:
            kind = error.get("type", "")
            if kind == "extra_forbidden":
                message = _("Unknown field.")
            elif kind == "missing":
                message = _("This field is required.")
            else:
                message = _("Invalid value: %(detail)s") % {"detail": error.get("msg", "")}
            errors.append({"field": _location(error.get("loc", ())), "message": message})
        return error_response(api, request, 422, errors)

    @api.exception_handler(ValidationError)
    def on_domain_invalid(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms]
        else:
            errors = [{"field": None, "message": m} for m in exc.messages]
        return error_response(api, request, 422, errors)

    @api.exception_handler(ScanUnavailable)
    def on_scanner_down(request, exc):
        # The file may be fine: a passing outage, to be retried, not a 422 for bad input.
        errors = [{"field": f, "message": m} for f, ms in exc.message_dict.items() for m in ms]
        response = error_response(api, request, 503, errors)
        response["Retry-After"] = "60"
        return response

    @api.exception_handler(RateLimited)
    def on_rate_limited(request, exc):
        message = ngettext(
            "Too many requests with this token. Try again in %(seconds)d second.",
            "Too many requests with this token. Try again in %(seconds)d seconds.",
            exc.retry_after,
        ) % {"seconds": exc.retry_after}
        response = error_response(api, request, 429, [{"field": None, "message": message}])
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(PermissionDenied)
    def on_denied(request, exc):
        return error_response(
            api, request, 403, [{"field": None, "message": str(exc) or _("You are not allowed to do this.")}]
        )

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return error_response(api, request, 404, [{"field": None, "message": _("Not found.")}])

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return error_response(api, request, 401, [{"field": None, "message": _("A valid API token is required.")}])

    @api.exception_handler(RequestChanged)
    def on_conflict(request, exc):
        return error_response(api, request, 409, [{"field": "version", "message": str(exc)}])

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        return error_response(api, request, exc.status_code, [{"field": None, "message": str(exc)}])
