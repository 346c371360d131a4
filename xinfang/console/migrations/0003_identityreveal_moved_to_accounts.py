"""``IdentityReveal`` now lives in accounts (``accounts.0008``): the console forgets it, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0002_identityreveal_add_category"),
        ("accounts", "0008_identityreveal_moved_from_console"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdentityReveal")],
            database_operations=[],
        ),
    ]
