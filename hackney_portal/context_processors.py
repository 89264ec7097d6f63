from django.conf import settings

from accounts.roles import is_staff_member


def portal(request):
    return {
        "service_name": "Resident portal",
        "demo_mode": settings.DEMO_MODE,
        # Called only when a template asks (the header does, for signed-in people): one query
        # for a resident, none for a user marked is_staff.
        "is_staff_member": lambda: is_staff_member(request.user),
    }
