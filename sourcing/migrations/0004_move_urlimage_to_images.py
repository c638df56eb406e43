# UrlImage moved to the images app: only the state leaves; the url_images table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('images', '0001_initial'),
        ('sourcing', '0003_api_query_tasks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The url_images table now belongs to images.
            state_operations=[
            migrations.DeleteModel(
                name='UrlImage',
            ),
            ],
            database_operations=[],
        ),
    ]
