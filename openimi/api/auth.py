"""Bearer-token authentication: each token acts as one user for one of its authorities."""

import logging

from django.conf import settings
from django.utils import translation
from ninja.security import HttpBearer

from openimi.api.errors import RateLimited
from openimi.directory.members import token_authenticate
from openimi.directory.permissions import access_of
from openimi.lib.ratelimit import seconds_to_wait

log = logging.getLogger(__name__)


def _shown(token: str) -> str:
    """What a log line may say about a refused token: the public prefix of one of ours (as
    ApiToken.prefix stores it), never the secret after it nor anything of a foreign string."""
    if token.startswith("oimi_"):
        return repr(token[:12])  # repr: a CR or LF sent in the header cannot forge log lines
    return f"not an OpenIMI token ({len(token)} characters)"


def _refused(request, why: str) -> None:
    # %r on the path too: a decoded %0A in it must not start a forged log line.
    log.warning(
        "API authentication refused from %s for %s %r: %s",
        request.META.get("REMOTE_ADDR", ""),
        request.method,
        request.path,
        why,
    )


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def __call__(self, request):
        header = request.headers.get(self.header, "")
        if header and header.split(" ")[0].lower() != self.openapi_scheme:
            # Handled here: ninja would log the whole header, credentials included, in DEBUG.
            _refused(request, "the Authorization header is not a bearer token")
            return None
        return super().__call__(request)

    def authenticate(self, request, token: str):
        api_token = token_authenticate(token)
        if api_token is None:
            _refused(request, f"unknown, revoked or inactive token {_shown(token)}")
            return None
        request.user = api_token.user
        request.api_token = api_token
        # The access context the token check loaded: every permission of this call is
        # answered from it, in memory.
        request.access = access_of(api_token.user)
        if "HTTP_ACCEPT_LANGUAGE" not in request.META:
            # Without an explicit Accept-Language, answer in the user's own language.
            translation.activate(api_token.user.language)
            request.LANGUAGE_CODE = api_token.user.language
        # Counted before the operation runs, so a refused request changes nothing.
        wait = seconds_to_wait(request, group="api", key=str(api_token.pk), rate=settings.API_RATE_LIMIT)
        if wait is not None:
            raise RateLimited(wait)
        return api_token
