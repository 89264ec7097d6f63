import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger("hackney_portal")


class PortalConfig(AppConfig):
    name = "hackney_portal"
    verbose_name = "Hackney resident portal"

    def ready(self):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.info(
                "No CELERY_BROKER_URL set: background tasks run eagerly in this process "
                "(demo mode)."
            )
