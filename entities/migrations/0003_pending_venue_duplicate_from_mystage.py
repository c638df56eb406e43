# The review queue proxy moves here from mystage (it is a view of entities' VenueDuplicate).

from django.db import migrations


def move_content_type(apps, schema_editor):
    """Keep the model's content type (and so staff permissions on it) under its new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="entities", model="pendingvenueduplicate").exists():
        ContentType.objects.filter(app_label="mystage", model="pendingvenueduplicate").update(app_label="entities")


class Migration(migrations.Migration):

    dependencies = [
        ('mystage', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('entities', '0002_venue_online_blocking'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # A proxy model has no table.
            state_operations=[
            migrations.CreateModel(
                name='PendingVenueDuplicate',
                fields=[
                ],
                options={
                    'verbose_name': 'venue duplicate to review',
                    'verbose_name_plural': 'venue duplicates to review (queue)',
                    'ordering': ['-priority', '-score', 'pk'],
                    'proxy': True,
                    'indexes': [],
                    'constraints': [],
                },
                bases=('entities.venueduplicate',),
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
