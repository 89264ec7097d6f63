from django.conf import settings

from accounts.middleware import staff_session


def portal(request):
    return {
        "service_name": "Resident portal",
        "demo_mode": settings.DEMO_MODE,
        # Called only when a template asks (the header does, for signed-in people): read from
        # the session, so a resident's page asks the database nothing for it.
        "is_staff_member": lambda: staff_session(request),
    }
