"""Bearer-token authentication: each token acts as one user for one of its authorities."""

from django.utils import translation
from ninja.security import HttpBearer

from openimi.accounts.services import token_authenticate


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        api_token = token_authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token
        if "HTTP_ACCEPT_LANGUAGE" not in request.META:
            # Without an explicit Accept-Language, answer in the user's own language.
            translation.activate(api_token.user.language)
            request.LANGUAGE_CODE = api_token.user.language
        return api_token
