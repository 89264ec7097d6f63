from django.apps import AppConfig


class PersonalDataConfig(AppConfig):
    name = "personal_data"
    verbose_name = "Your data"

    def ready(self):
        from accounts import roles

        from . import permissions

        # Requests for a person's data that arrive by post are the records team's to answer.
        roles.declare_permissions(
            permissions, grants={roles.RECORDS_ADMIN: (permissions.PERSONAL_DATA_EXPORT,)}
        )
