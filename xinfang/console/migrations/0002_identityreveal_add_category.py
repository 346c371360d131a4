from django.db import migrations, models


class Migration(migrations.Migration):
    """A reveal's reason category. Rows made before it were recorded with free text only: "other"."""

    dependencies = [
        ("console", "0001_identityreveal"),
    ]

    operations = [
        migrations.AddField(
            model_name="identityreveal",
            name="category",
            field=models.CharField(
                choices=[
                    ("contact", "联系信访人了解信件情况"),
                    ("verify", "核实身份以便答复"),
                    ("investigate", "调查核实反映的问题"),
                    ("legal", "依法或纪检监察机关要求"),
                    ("other", "其他"),
                ],
                default="other",
                max_length=16,
                verbose_name="查看事由",
            ),
            preserve_default=False,
        ),
    ]
