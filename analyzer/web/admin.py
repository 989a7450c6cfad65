"""Django admin for the server's owner (superusers): teams, coaches, athletes, clips, jobs."""

from __future__ import annotations

from django.contrib import admin

from analyzer.web.models import Athlete, Clip, Coach, Job, ShareLink, Team

admin.site.register(Team)
admin.site.register(Coach)


@admin.register(Athlete)
class AthleteAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "position")
    list_filter = ("team",)


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ("id", "original_name", "team", "athlete", "status", "overall_score")
    list_filter = ("team", "status", "source")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "clip", "state", "attempts", "worker_id", "lease_until")
    list_filter = ("state",)


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ("clip", "label", "created_at", "revoked_at")
    exclude = ("token",)
