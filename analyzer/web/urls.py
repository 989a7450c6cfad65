"""URL map of the coach web app."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from analyzer.web import views, views_import

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("clips/upload/", views.upload, name="upload"),
    path("clips/<int:clip_id>/", views.clip_page, name="clip"),
    path("clips/<int:clip_id>/status.json", views.clip_status, name="clip_status"),
    path("clips/<int:clip_id>/files/<str:name>", views.clip_file, name="clip_file"),
    path("clips/<int:clip_id>/retry/", views.clip_retry, name="clip_retry"),
    path("clips/<int:clip_id>/delete/", views.clip_delete, name="clip_delete"),
    path("clips/<int:clip_id>/share/", views.share_create, name="share_create"),
    path("share-links/<int:link_id>/revoke/", views.share_revoke, name="share_revoke"),
    path("athletes/", views.athletes, name="athletes"),
    path("athletes/<int:athlete_id>/", views.athlete_page, name="athlete"),
    path("import/", views_import.import_batch_view, name="import_batch"),
    path("s/<str:token>/", views.shared_clip, name="shared"),
    path("s/<str:token>/files/<str:name>", views.shared_file, name="shared_file"),
    path("admin/", admin.site.urls),
]
