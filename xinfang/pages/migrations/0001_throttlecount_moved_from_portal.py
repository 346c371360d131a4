"""``ThrottleCount`` moves from the portal to the shared pages: state only, the table stays."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_publication_moved_to_publication"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ThrottleCount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("scope", models.CharField(max_length=40)),
                        ("key", models.CharField(max_length=64)),
                        ("hits", models.PositiveIntegerField(default=0)),
                        ("window_ends_at", models.DateTimeField(db_index=True)),
                    ],
                    options={
                        "db_table": "portal_throttlecount",
                        "verbose_name": "限流计数",
                        "verbose_name_plural": "限流计数",
                        "constraints": [
                            models.UniqueConstraint(fields=("scope", "key"), name="throttlecount_unique_scope_key")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
