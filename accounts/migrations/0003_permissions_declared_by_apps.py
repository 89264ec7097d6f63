"""The staff permissions are declared by their apps now, no longer in User's Meta.

Nothing in the database changes: every codename stays as it was and stays on accounts.User, so
the groups 0002_staff_roles made keep exactly their permissions (accounts.roles.sync_roles keeps
them in step after every migrate; tests/test_permissions.py checks both give the same groups)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_roles"),
    ]

    operations = [
        migrations.AlterModelOptions(name="user", options={}),
    ]
