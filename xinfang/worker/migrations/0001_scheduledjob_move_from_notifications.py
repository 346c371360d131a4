"""ScheduledJob moves from notifications to worker in Django's state only.

The table ``notifications_scheduledjob`` (created by notifications/0001) stays where it is, with
its rows: this migration tells Django that the worker app now owns it (``db_table`` keeps the old
name) and notifications/0003 removes the model from notifications' state. No SQL runs.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("notifications", "0002_notification_kind_add_explanation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ScheduledJob",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=60, unique=True, verbose_name="名称")),
                        ("enabled", models.BooleanField(default=True, verbose_name="启用")),
                        ("interval_seconds", models.PositiveIntegerField(verbose_name="间隔（秒）")),
                        ("next_run_at", models.DateTimeField(verbose_name="下次运行时间")),
                        ("running_since", models.DateTimeField(blank=True, null=True, verbose_name="开始运行时间")),
                        ("last_started_at", models.DateTimeField(blank=True, null=True, verbose_name="上次开始")),
                        ("last_finished_at", models.DateTimeField(blank=True, null=True, verbose_name="上次结束")),
                        ("last_result", models.TextField(blank=True, verbose_name="上次结果")),
                        ("last_error", models.TextField(blank=True, verbose_name="上次错误")),
                        ("run_count", models.PositiveIntegerField(default=0, verbose_name="运行次数")),
                    ],
                    options={
                        "verbose_name": "定时任务",
                        "verbose_name_plural": "定时任务",
                        "db_table": "notifications_scheduledjob",
                        "ordering": ["name"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
