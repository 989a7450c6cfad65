"""What the coach web app stores: teams, coaches, athletes, clips, analysis jobs, share links.

Every row a coach can see hangs off a :class:`Team`; views look clips and athletes up through
``team=request.coach.team`` so another team's row is a 404, never a 403 that confirms it
exists. Files live in the data folder (``uploads/`` and ``results/<clip id>/``); the database
holds their names and a summary of the result for the lists.

Designed to carry the review features (issue 15): a finding is addressed by
``(clip, finding id)`` from ``result.json``, so decisions, notes and coach flags can be added
as rows pointing at :class:`Clip`; ``Clip.recorded_on`` dates each session of an athlete.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class Team(models.Model):
    """A team: the unit of access (a coach sees their team's athletes and clips only)."""

    name = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Coach(models.Model):
    """A login (Django user) that belongs to one team."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="coaches")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.team})"


class Athlete(models.Model):
    """An athlete on a team's roster."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="athletes")
    name = models.CharField(max_length=120)
    position = models.CharField(max_length=40, blank=True)
    height_m = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)
        constraints = (
            models.UniqueConstraint(fields=("team", "name"), name="athlete_unique_name_per_team"),
        )

    def __str__(self) -> str:
        return self.name


class Clip(models.Model):
    """One uploaded (or imported) clip and where its analysis stands.

    ``status`` mirrors the latest job for the lists: queued, running, done or failed. The
    uploaded file is kept after a failure so the analysis can be retried.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    class Source(models.TextChoices):
        UPLOAD = "upload"
        IMPORT = "import"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="clips")
    athlete = models.ForeignKey(
        Athlete, null=True, blank=True, on_delete=models.SET_NULL, related_name="clips"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=80, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    duration_s = models.FloatField(null=True, blank=True)
    recorded_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    import_key = models.CharField(max_length=255, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error_message = models.TextField(blank=True)
    error_hint = models.TextField(blank=True)
    overall_score = models.FloatField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("team", "status")),)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def upload_path(self):  # -> Path | None
        """The stored clip on disk (None for an import without its source clip)."""
        from analyzer.web import storage

        return storage.upload_path(self.stored_name) if self.stored_name else None

    @property
    def result_dir(self):  # -> Path
        """The analysis output folder (report.html, annotated.mp4, result.json, ...)."""
        from analyzer.web import storage

        return storage.result_dir(self.pk)

    def findings(self) -> list[dict[str, Any]]:
        """The findings summary kept for the page (id, title, severity, cue, key frame)."""
        return list(self.summary.get("findings", []))


class Job(models.Model):
    """One analysis job, claimed by a worker under a lease.

    A worker owns a running job until ``lease_until``; it renews the lease while it works.
    A job whose lease ran out (its worker died) is claimable again, up to ``max_attempts``.
    """

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="jobs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    worker_id = models.CharField(max_length=80, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    stage = models.CharField(max_length=40, blank=True)
    done_units = models.PositiveIntegerField(default=0)
    total_units = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = (models.Index(fields=("state", "lease_until")),)

    def __str__(self) -> str:
        return f"job {self.pk} for clip {self.clip_id}: {self.state}"


def new_share_token() -> str:
    """An unguessable token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class ShareLink(models.Model):
    """A read-only link to one clip's report, for the athlete or a parent; revocable."""

    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, default=new_share_token)
    label = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# Review rows (issue 15) live in their own module; imported here so Django registers them.
from analyzer.web.review_models import CoachFlag, FindingReview, ModelRep  # noqa: E402,F401
