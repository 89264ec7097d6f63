from django.conf import settings


def portal(request):
    return {
        "service_name": "Resident portal",
        "demo_mode": settings.DEMO_MODE,
    }
