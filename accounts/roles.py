"""Staff roles: Django groups, each granted permissions that the apps declare themselves
(records.models, balances.models, parking.permissions, casework.permissions,
notifications.permissions).

A member of staff is anyone with is_staff or a role; staff must use an authenticator app
(see middleware.StaffMFARequiredMiddleware).

This is where roles meet the apps: the one module of accounts that imports them, and only for
their permission constants (the import contracts in pyproject.toml allow exactly that)."""

from balances import models as balances
from casework import permissions as casework
from notifications import permissions as notifications
from parking import permissions as parking
from records import models as records

CONTACT_CENTRE_AGENT = "contact_centre_agent"
PARKING_OFFICER = "parking_officer"
REVENUES_OFFICER = "revenues_officer"
RECORDS_ADMIN = "records_admin"

# The modules that declare staff permissions, each in a PERMISSIONS dict of its constants.
DECLARED_IN = (casework, parking, balances, records, notifications)
# Every staff permission: "app_label.codename" -> what it allows.
PERMISSIONS: dict[str, str] = {
    permission: description
    for module in DECLARED_IN
    for permission, description in module.PERMISSIONS.items()
}

# What every role can do: find a resident's case, read it (council tax accounts included), add
# notes and make a permit application for a resident on the phone. Each role then adds its own
# work.
CASEWORK = [
    casework.CASE_VIEW,
    casework.CASE_NOTE_ADD,
    balances.COUNCIL_TAX_ACCOUNT_VIEW,
    casework.ASSISTED_APPLICATION_MAKE,
]

# role -> (description, permissions)
ROLES: dict[str, tuple[str, list[str]]] = {
    CONTACT_CENTRE_AGENT: (
        "Contact centre agent: looks up residents' cases, adds notes and makes permit "
        "applications for residents on the phone",
        CASEWORK,
    ),
    PARKING_OFFICER: (
        "Parking officer: decides permit applications that need a person",
        [*CASEWORK, parking.APPLICATION_DECIDE],
    ),
    REVENUES_OFFICER: (
        "Revenues officer: council tax accounts, their full ledgers and account links",
        [
            *CASEWORK,
            balances.COUNCIL_TAX_LEDGER_VIEW,
            balances.COUNCIL_TAX_LINK_MANAGE,
        ],
    ),
    RECORDS_ADMIN: (
        "Records administrator: record feeds, syncs and their quality, the audit log and the "
        "emails sent",
        [
            *CASEWORK,
            records.SYNC_VIEW,
            records.SYNC_MANAGE,
            casework.AUDIT_LOG_VIEW,
            notifications.NOTIFICATION_VIEW,
        ],
    ),
}


def is_staff_member(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=ROLES).exists()


# Where a member of staff lands after signing in: the first of these they may use (a role's
# own work before what every role can do), else the staff pages.
LANDINGS = (
    (parking.APPLICATION_DECIDE, "casework:review_queue"),
    (records.SYNC_VIEW, "records:run_list"),
    (casework.CASE_VIEW, "casework:search"),
)


def landing_url_name(user) -> str:
    for permission, url_name in LANDINGS:
        if user.has_perm(permission):
            return url_name
    return "casework:home"


def role_names(user) -> list[str]:
    return sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True))


def sync_roles(**kwargs) -> None:
    """Make the groups match ROLES: run after every `migrate` (and after a test flush), so a
    permission added to a role here reaches every environment on its next deploy. Permissions
    a role no longer lists are removed from it; a permission's description follows its
    declaration."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .models import User

    # Django hangs a permission on a model: the portal's staff permissions all hang on User.
    user_type = ContentType.objects.get_for_model(User)
    for role, (_description, permissions) in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        granted = []
        for permission in permissions:
            _app_label, codename = permission.split(".")
            granted.append(
                Permission.objects.update_or_create(
                    content_type=user_type,
                    codename=codename,
                    defaults={"name": PERMISSIONS[permission]},
                )[0]
            )
        group.permissions.set(granted)
