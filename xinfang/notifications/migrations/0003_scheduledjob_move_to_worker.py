"""ScheduledJob leaves notifications' state for the worker app (worker/0001); the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification_kind_add_explanation"),
        ("worker", "0001_scheduledjob_move_from_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ScheduledJob")],
            database_operations=[],
        ),
    ]
