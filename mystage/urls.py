from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, path

from mystage.api import api
from mystage.pipeline.admin_views import pipeline_dashboard, pipeline_retry

admin.site.site_header = "MyStage Sourcing"
admin.site.site_title = "MyStage Sourcing"
admin.site.index_title = "Pipeline and canonical data"
# Lists need the width more than a second menu: the breadcrumbs and the index lead everywhere.
admin.site.enable_nav_sidebar = False

urlpatterns: list[URLPattern | URLResolver] = [
    # Staff views beside the model admins (linked from the admin index).
    path("admin/pipeline/", admin.site.admin_view(pipeline_dashboard), name="pipeline_dashboard"),
    path("admin/pipeline/retry/", admin.site.admin_view(pipeline_retry), name="pipeline_retry"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
# Stored images (admin thumbnails) under MEDIA_URL, in DEBUG only; in production a web server,
# a CDN or the storage bucket serves them.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
