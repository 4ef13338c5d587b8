"""The demo's "Programme staff" group held every permission of the auth app, which let its
members make themselves superusers. Only superusers grant rights now: the group loses them."""

from django.db import migrations

STAFF_GROUP = "Programme staff"  # projects.demo.STAFF_GROUP, as it was named when this was written


def remove_auth_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=STAFF_GROUP):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="auth"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(remove_auth_permissions, migrations.RunPython.noop)]
