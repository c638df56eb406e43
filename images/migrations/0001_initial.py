# UrlImage moves here from sourcing (images are their own stage). The url_images table stays; only the
# model state moves.

from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """Keep the model's content type (and so staff permissions on it) under its new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="images", model="urlimage").exists():
        ContentType.objects.filter(app_label="sourcing", model="urlimage").update(app_label="images")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('sourcing', '0003_api_query_tasks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The url_images table was created by sourcing 0001.
            state_operations=[
            migrations.CreateModel(
                name='UrlImage',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed'), ('waiting', 'Waiting')], db_index=True, default='pending', max_length=16)),
                    ('attempts', models.PositiveIntegerField(default=0)),
                    ('last_error', models.TextField(blank=True, default='')),
                    ('claim_token', models.UUIDField(blank=True, editable=False, null=True)),
                    ('started_at', models.DateTimeField(blank=True, null=True)),
                    ('finished_at', models.DateTimeField(blank=True, null=True)),
                    ('retry_at', models.DateTimeField(blank=True, null=True)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('url', models.TextField()),
                    ('url_hash', models.CharField(editable=False, max_length=64, unique=True)),
                    ('content_hash', models.CharField(blank=True, db_index=True, default='', max_length=64)),
                    ('format', models.CharField(blank=True, default='', max_length=16)),
                    ('width', models.PositiveIntegerField(blank=True, null=True)),
                    ('height', models.PositiveIntegerField(blank=True, null=True)),
                    ('byte_size', models.PositiveIntegerField(blank=True, null=True)),
                    ('variants', models.JSONField(blank=True, default=dict)),
                    ('license', models.CharField(blank=True, default='', max_length=255)),
                    ('attribution', models.CharField(blank=True, default='', max_length=500)),
                ],
                options={
                    'db_table': 'url_images',
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
