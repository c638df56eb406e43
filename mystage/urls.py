from django.contrib import admin
from django.urls import path

from mystage.api import api

admin.site.site_header = "MyStage Sourcing"
admin.site.site_title = "MyStage Sourcing"
admin.site.index_title = "Pipeline and canonical data"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
