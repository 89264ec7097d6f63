from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "parking"
    verbose_name = "Resident parking permits"
