"""Staff roles: Django groups, each with named permissions (created by a data migration).

A member of staff is anyone with is_staff or a role; staff must use an authenticator app
(see middleware.StaffMFARequiredMiddleware)."""

CONTACT_CENTRE_AGENT = "contact_centre_agent"
PARKING_OFFICER = "parking_officer"
REVENUES_OFFICER = "revenues_officer"
RECORDS_ADMIN = "records_admin"

# role -> (description, permission codenames on accounts.User)
ROLES: dict[str, tuple[str, list[str]]] = {
    CONTACT_CENTRE_AGENT: (
        "Contact centre agent: looks up residents' cases and adds notes",
        ["view_resident_case", "add_case_note", "view_council_tax_account"],
    ),
    PARKING_OFFICER: (
        "Parking officer: decides permit applications that need a person",
        ["view_resident_case", "add_case_note", "decide_permit_application"],
    ),
    REVENUES_OFFICER: (
        "Revenues officer: council tax accounts and account links",
        [
            "view_resident_case",
            "add_case_note",
            "view_council_tax_account",
            "manage_council_tax_link",
        ],
    ),
    RECORDS_ADMIN: (
        "Records administrator: record feeds, syncs and their quality",
        ["view_record_sync", "manage_record_sync"],
    ),
}


def is_staff_member(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=ROLES).exists()


def role_names(user) -> list[str]:
    return sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True))


def sync_roles(**kwargs) -> None:
    """Make the groups match ROLES: run after every `migrate` (and after a test flush), so a
    permission added to a role here reaches every environment on its next deploy. Permissions
    a role no longer lists are removed from it."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .models import User

    user_type = ContentType.objects.get_for_model(User)
    names = dict(User._meta.permissions)
    for role, (_description, codenames) in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = [
            Permission.objects.get_or_create(
                content_type=user_type, codename=codename, defaults={"name": names[codename]}
            )[0]
            for codename in codenames
        ]
        group.permissions.set(permissions)
