# ApiKey moves here from mystage (the bottom layer holds API access). The table stays; only the
# model state moves, so existing databases keep their keys.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """Keep the model's content type (and so staff permissions on it) under its new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="apikey").exists():
        ContentType.objects.filter(app_label="mystage", model="apikey").update(app_label="core")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('mystage', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The api_keys table was created by mystage 0001.
            state_operations=[
            migrations.CreateModel(
                name='ApiKey',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=100)),
                    ('prefix', models.CharField(db_index=True, help_text="The key's first characters, shown.", max_length=8)),
                    ('hashed_key', models.CharField(editable=False, max_length=64, unique=True)),
                    ('is_staff', models.BooleanField(default=False, help_text='Staff scope: pipeline endpoints, and provenance and sources in entity details.')),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('last_used_at', models.DateTimeField(blank=True, null=True)),
                    ('revoked_at', models.DateTimeField(blank=True, null=True)),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'API key',
                    'db_table': 'api_keys',
                    'ordering': ['-created_at'],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
