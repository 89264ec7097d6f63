"""The Celery app. Reliability settings (late acks, time limits, visibility timeout) live in
settings.py under the CELERY_ prefix; periodic schedules live in the database
(django-celery-beat) so staff can see them in the admin."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackney_portal.settings")

app = Celery("hackney_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
