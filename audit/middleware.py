from .context import current_request


class AuditRequestMiddleware:
    """Keeps the request at hand while it is answered, so that a service that records an action
    (audit.services.record) knows who did it and from where without being handed the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
