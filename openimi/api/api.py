"""The REST API, version 1: ``/api/v1/``, OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``."""

from ninja import NinjaAPI

from openimi.accounts.api import router as accounts_router
from openimi.api import errors
from openimi.api.auth import TokenAuth
from openimi.directory.api import router as directory_router
from openimi.exchanges.api import router as exchanges_router
from openimi.privacy.api import router as privacy_router

api = NinjaAPI(
    title="OpenIMI API",
    version="1",
    description="Administrative cooperation between public authorities. Authenticate with "
    "`Authorization: Bearer <token>`; a token acts for one user in one authority.",
    auth=TokenAuth(),
    urls_namespace="api",
)
errors.install(api)
api.add_router("/", accounts_router)
api.add_router("/", directory_router)
api.add_router("/", exchanges_router)
api.add_router("/", privacy_router)
