"""The Django app holding the coach web app's models, views and migrations."""

from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """Teams, coaches, athletes, clips, jobs and share links (app label ``web``)."""

    name = "analyzer.web"
    label = "web"
    verbose_name = "Backpedal coach app"
    default_auto_field = "django.db.models.BigAutoField"
