"""Create the staff roles (groups) and give each its permissions.

Permissions are normally created after migrations run, so this migration creates the ones it
needs itself; Django's post_migrate step then finds them already there."""

from django.db import migrations

# Frozen copy of accounts.roles.ROLES at the time of this migration.
ROLES = {
    "contact_centre_agent": ["view_resident_case", "add_case_note", "view_council_tax_account"],
    "parking_officer": ["view_resident_case", "add_case_note", "decide_permit_application"],
    "revenues_officer": [
        "view_resident_case",
        "add_case_note",
        "view_council_tax_account",
        "manage_council_tax_link",
    ],
    "records_admin": ["view_record_sync", "manage_record_sync"],
}
PERMISSION_NAMES = {
    "view_resident_case": "Can search for residents and view their whole case",
    "add_case_note": "Can add a note to a resident's case",
    "decide_permit_application": "Can decide parking permit applications",
    "view_council_tax_account": "Can view residents' council tax accounts",
    "manage_council_tax_link": "Can link and unlink residents' council tax accounts",
    "view_record_sync": "Can view record syncs and their quality reports",
    "manage_record_sync": "Can upload record feeds and approve or discard held syncs",
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    user_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="user")
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for codename in codenames:
            permission, _ = Permission.objects.get_or_create(
                content_type=user_type,
                codename=codename,
                defaults={"name": PERMISSION_NAMES[codename]},
            )
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
