from . import services


class SessionActivityMiddleware:
    """Keeps "last seen" of the signed-in session roughly current (services.user_session_seen)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            services.user_session_seen(session_key=request.session.session_key)
        return response
