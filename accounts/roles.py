"""Staff roles: Django groups, each granted permissions that the apps declare themselves.

A member of staff is anyone with is_staff or a role; staff must use an authenticator app
(see middleware.StaffMFARequiredMiddleware).

accounts imports no app. The roles (the council's staff structure) are named here; each app
declares its own permissions and which roles they go to from its AppConfig.ready, with
`declare_permissions` (and `add_landing` for where a role's work starts), as the apps' panels
on "Your account" register themselves (accounts.home). An app may add a role of its own with
`add_role`. `sync_roles` makes the groups match after every migrate."""

from types import ModuleType

CONTACT_CENTRE_AGENT = "contact_centre_agent"
PARKING_OFFICER = "parking_officer"
REVENUES_OFFICER = "revenues_officer"
RECORDS_ADMIN = "records_admin"

# role -> (description, permissions): the permissions filled in by the apps as they start.
ROLES: dict[str, tuple[str, list[str]]] = {
    CONTACT_CENTRE_AGENT: (
        "Contact centre agent: looks up residents' cases, adds notes and makes permit "
        "applications for residents on the phone",
        [],
    ),
    PARKING_OFFICER: ("Parking officer: decides permit applications that need a person", []),
    REVENUES_OFFICER: (
        "Revenues officer: council tax accounts, their full ledgers and account links",
        [],
    ),
    RECORDS_ADMIN: (
        "Records administrator: record feeds, syncs and their quality, the audit log and the "
        "emails sent",
        [],
    ),
}
# The roles that work residents' cases: each gets what every caseworker can do (find a case,
# read it, add notes, apply for a resident on the phone; declared by the apps with
# `every_caseworker`). A role an app adds later need not be one.
CASEWORK_ROLES: set[str] = set(ROLES)
_EVERY_CASEWORKER: list[str] = []

# Every staff permission: "app_label.codename" -> what it allows; and the modules declaring them.
PERMISSIONS: dict[str, str] = {}
DECLARED_IN: list[ModuleType] = []

# Where a member of staff lands after signing in: the first of these (by order) they may use.
_LANDINGS: list[tuple[int, str, str]] = []


def add_role(name: str, description: str, *, casework: bool = False) -> None:
    """An app's own role (from its AppConfig.ready)."""
    ROLES.setdefault(name, (description, []))
    if casework:
        CASEWORK_ROLES.add(name)
        _grant(name, _EVERY_CASEWORKER)


def declare_permissions(
    module: ModuleType,
    *,
    every_caseworker: tuple[str, ...] = (),
    grants: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """An app's staff permissions: `module.PERMISSIONS` (constant -> description), those every
    casework role gets, and those particular roles get. Called from the app's AppConfig.ready;
    calling it again changes nothing."""
    if module not in DECLARED_IN:
        DECLARED_IN.append(module)
    PERMISSIONS.update(module.PERMISSIONS)
    for permission in every_caseworker:
        if permission not in _EVERY_CASEWORKER:
            _EVERY_CASEWORKER.append(permission)
    for role in CASEWORK_ROLES:
        _grant(role, every_caseworker)
    for role, permissions in (grants or {}).items():
        _grant(role, permissions)


def _grant(role: str, permissions) -> None:
    granted = ROLES[role][1]
    granted.extend(p for p in permissions if p not in granted)


def add_landing(permission: str, url_name: str, *, order: int) -> None:
    """Staff holding `permission` start at `url_name` after signing in (lowest order first)."""
    if (order, permission, url_name) not in _LANDINGS:
        _LANDINGS.append((order, permission, url_name))
        _LANDINGS.sort()


def is_staff_member(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name__in=ROLES).exists()


def landing_url_name(user) -> str:
    """A role's own work before what every role can do, else the staff pages."""
    for _order, permission, url_name in _LANDINGS:
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
