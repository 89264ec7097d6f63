from django.conf import settings


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy, which Django does not set itself: the portal needs no camera,
    microphone, location or payment APIs, so no page (or injected script) may use them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
