from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="QueuedJob",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=100, unique=True)),
                (
                    "enqueued_at",
                    models.DateTimeField(blank=True, help_text="Empty: none queued now.", null=True),
                ),
            ],
            options={"db_table": "queued_jobs"},
        ),
    ]
