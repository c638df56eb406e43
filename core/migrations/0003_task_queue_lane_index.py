# The lane broker (core/brokers.py) asks django-q2's ORM queue for the oldest task of one queue name at
# a time; without an index each question reads the whole table, which a backlog makes long.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_queued_jobs"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "mystage_ormq_key_id" ON "django_q_ormq" ("key", "id")',
            'DROP INDEX IF EXISTS "mystage_ormq_key_id"',
        ),
    ]
