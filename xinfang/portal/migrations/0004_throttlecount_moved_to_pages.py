"""``ThrottleCount`` now lives in ``pages`` (same table): removed from the portal's state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_publication_moved_to_publication"),
        ("pages", "0001_throttlecount_moved_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ThrottleCount")], database_operations=[]
        ),
    ]
