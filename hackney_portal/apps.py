import logging

from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished

from .logs import forget_request_id

logger = logging.getLogger("hackney_portal")


class PortalConfig(AppConfig):
    name = "hackney_portal"
    verbose_name = "Hackney resident portal"

    def ready(self):
        # After Django's own 4xx/5xx line, which comes once the middleware has answered.
        request_finished.connect(forget_request_id, dispatch_uid="hackney_portal.request_id")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.info(
                "No CELERY_BROKER_URL set: background tasks run eagerly in this process "
                "(demo mode)."
            )
