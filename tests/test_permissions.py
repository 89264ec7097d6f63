"""Staff permissions: each app declares its own once (a constant and a description), and
accounts.roles maps the roles onto them. Nothing else spells a codename, so renaming one is one
edit; migrations are history and keep the names they were written with."""

import importlib
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from accounts.roles import DECLARED_IN, PERMISSIONS, RECORDS_ADMIN, ROLES
from casework.permissions import CASE_VIEW
from records.models import SYNC_MANAGE, SYNC_VIEW, SyncRun
from tests.factories import make_staff
from tests.helpers import sign_in

ROOT = Path(__file__).resolve().parent.parent
# The project's code, templates and tests (not third-party code, not generated files).
SCANNED = ("accounts", "balances", "bench", "casework", "hackney_portal", "parking", "records")
SCANNED += ("notifications", "insights")
SCANNED += ("static/src", "templates", "tests")
SUFFIXES = {".py", ".html", ".txt", ".js", ".scss"}

DECLARING_FILE = {
    permission: Path(module.__file__).resolve()
    for module in DECLARED_IN
    for permission in module.PERMISSIONS
}


def codename(permission: str) -> str:
    return permission.split(".", 1)[1]


def project_files():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in SUFFIXES and not {"migrations", "__pycache__"} & set(path.parts):
                yield path.resolve()


def test_no_permission_codename_is_spelled_outside_the_app_that_declares_it():
    declared_in = {codename(permission): path for permission, path in DECLARING_FILE.items()}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, declared_in)) + r")\b")
    spelled_elsewhere = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(1)}"
        for path in project_files()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        for match in pattern.finditer(line)
        if declared_in[match.group(1)] != path
    ]
    assert spelled_elsewhere == []


@pytest.mark.parametrize("permission", sorted(DECLARING_FILE))
def test_a_permission_codename_is_written_once_where_its_app_declares_it(permission):
    assert DECLARING_FILE[permission].read_text().count(codename(permission)) == 1


def test_every_permission_a_role_grants_is_declared_by_an_app():
    granted = {
        permission for _description, permissions in ROLES.values() for permission in permissions
    }
    assert granted - set(PERMISSIONS) == set()


@pytest.mark.parametrize("role", sorted(ROLES))
def test_a_member_of_a_role_has_every_permission_it_lists(db, role):
    member = make_staff(role, with_totp=False)

    missing = [permission for permission in ROLES[role][1] if not member.has_perm(permission)]

    assert missing == []


@pytest.mark.parametrize("role", sorted(ROLES))
def test_a_member_of_a_role_has_no_staff_permission_it_does_not_list(db, role):
    member = make_staff(role, with_totp=False)

    extra = [
        permission
        for permission in PERMISSIONS
        if permission not in ROLES[role][1] and member.has_perm(permission)
    ]

    assert extra == []


def test_each_role_group_holds_exactly_its_permissions(db):
    groups = {
        role: sorted(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        for role in ROLES
    }
    assert groups == {
        role: sorted(codename(permission) for permission in permissions)
        for role, (_description, permissions) in ROLES.items()
    }


def test_every_role_keeps_what_the_migration_that_first_made_it_granted():
    # Roles only grow: a member of staff keeps every permission 0002_staff_roles gave their
    # role (accounts.roles.sync_roles adds the new ones after each migrate).
    frozen = importlib.import_module("accounts.migrations.0002_staff_roles").ROLES
    lost = {
        role: set(codenames) - {codename(permission) for permission in ROLES[role][1]}
        for role, codenames in frozen.items()
    }
    assert lost == {role: set() for role in frozen}


def test_a_permission_takes_its_description_from_its_apps_declaration(db):
    permission = Permission.objects.get(
        content_type__app_label="accounts", codename=codename(SYNC_MANAGE)
    )
    assert permission.name == PERMISSIONS[SYNC_MANAGE]


# --- The pages ask the apps' constants, not codenames --------------------------------------


def staff_with(*permissions: str):
    """A member of staff holding just these permissions, outside any role."""
    user = make_staff(None)
    for permission in permissions:
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="accounts", codename=codename(permission)
            )
        )
    return user


def test_staff_home_links_to_record_syncs_for_staff_who_may_view_them(client, db):
    sign_in(client, make_staff(RECORDS_ADMIN))
    page = client.get(reverse("casework:home")).content.decode()
    assert reverse("records:run_list") in page


def test_staff_home_has_no_record_syncs_link_for_other_staff(client, db):
    sign_in(client, staff_with(CASE_VIEW))
    page = client.get(reverse("casework:home")).content.decode()
    assert reverse("records:run_list") not in page


def test_the_runs_page_offers_an_upload_to_staff_who_may_manage_syncs(client, db):
    sign_in(client, staff_with(SYNC_VIEW, SYNC_MANAGE))
    page = client.get(reverse("records:run_list")).content.decode()
    assert reverse("records:upload") in page


def test_the_runs_page_offers_no_upload_to_staff_who_may_only_view_syncs(client, db):
    sign_in(client, staff_with(SYNC_VIEW))
    page = client.get(reverse("records:run_list")).content.decode()
    assert reverse("records:upload") not in page


def held_run() -> SyncRun:
    return SyncRun.objects.create(
        feed="people",
        file_name="people.csv",
        file_path="record-feeds/people.csv",
        checksum="0" * 64,
        started_by_label="test",
        status=SyncRun.Status.HELD,
        started_at=timezone.now(),
    )


def test_a_held_run_offers_no_decision_to_staff_who_may_only_view_syncs(client, db):
    run = held_run()
    sign_in(client, staff_with(SYNC_VIEW))
    page = client.get(reverse("records:run_detail", args=[run.pk])).content.decode()
    assert reverse("records:decide", args=[run.pk]) not in page


def test_a_held_run_offers_a_decision_to_staff_who_may_manage_syncs(client, db):
    run = held_run()
    sign_in(client, staff_with(SYNC_VIEW, SYNC_MANAGE))
    page = client.get(reverse("records:run_detail", args=[run.pk])).content.decode()
    assert reverse("records:decide", args=[run.pk]) in page
