from openimi.lib.ratelimit import request_address
from openimi.privacy.audit import current_ip


class AuditContextMiddleware:
    """Make the client address available to the audit log for this request (behind the TLS
    proxy, the address the proxy saw, not the proxy's own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(request_address(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
