# ApiKey moved to core and PendingVenueDuplicate to entities: only the state leaves; the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('entities', '0003_pending_venue_duplicate_from_mystage'),
        ('core', '0001_initial'),
        ('mystage', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # Tables stay (api_keys now belongs to core; the proxy has none).
            state_operations=[
            migrations.RemoveField(
                model_name='apikey',
                name='created_by',
            ),
            migrations.DeleteModel(
                name='PendingVenueDuplicate',
            ),
            migrations.DeleteModel(
                name='ApiKey',
            ),
            ],
            database_operations=[],
        ),
    ]
