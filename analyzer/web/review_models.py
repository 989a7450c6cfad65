"""What a coach decides when reviewing a clip: a decision per finding, and their own flags.

A finding is addressed by ``(clip, finding id)`` from the clip's ``result.json``; the
analysis output itself is never rewritten. :func:`clip_review` gathers both tables into the
analyzer's :class:`analyzer.review.Review` (exported as ``review.json``, written into the
Kinovea file, shown on the report and the share link).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from analyzer import review as rv
from analyzer.review import MAX_NOTE_CHARS


class FindingReview(models.Model):
    """The coach's decision on one finding of a clip: confirmed or dismissed, with a note."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed"
        DISMISSED = "dismissed"

    clip = models.ForeignKey("web.Clip", on_delete=models.CASCADE, related_name="reviews")
    finding_id = models.CharField(max_length=80)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField(blank=True, max_length=MAX_NOTE_CHARS)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("clip", "finding_id")
        constraints = (
            models.UniqueConstraint(fields=("clip", "finding_id"), name="one_review_per_finding"),
        )

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.decision}"


class _MadeByCoach(models.Model):
    """Who made the row and when (a deleted user leaves the row, without an author)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class CoachFlag(_MadeByCoach):
    """A moment the coach flagged on a clip (a frame of the annotated video), with a note."""

    clip = models.ForeignKey("web.Clip", on_delete=models.CASCADE, related_name="coach_flags")
    frame = models.PositiveIntegerField()
    time_s = models.FloatField(null=True, blank=True)
    note = models.TextField(max_length=MAX_NOTE_CHARS)

    class Meta:
        ordering = ("clip", "frame", "id")

    def __str__(self) -> str:
        return f"frame {self.frame}: {self.note[:40]}"


def clip_review(clip, *, clip_sha256: str = "") -> rv.Review:
    """The clip's stored review as the analyzer's :class:`~analyzer.review.Review`."""
    decisions = tuple(
        rv.FindingDecision(r.finding_id, r.decision, r.note)
        for r in FindingReview.objects.filter(clip=clip)
    )
    flags = tuple(
        rv.CoachFlag(frame=f.frame, note=f.note, time_s=f.time_s)
        for f in CoachFlag.objects.filter(clip=clip)
    )
    return rv.Review(
        decisions=decisions, flags=flags, clip_sha256=clip_sha256, clip=clip.original_name
    )


class ModelRep(_MadeByCoach):
    """A rep the coach marked as a model to compare athletes' reps with."""

    team = models.ForeignKey("web.Team", on_delete=models.CASCADE, related_name="model_reps")
    clip = models.ForeignKey("web.Clip", on_delete=models.CASCADE, related_name="model_reps")
    rep = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ("label", "id")
        constraints = (
            models.UniqueConstraint(fields=("clip", "rep"), name="one_model_mark_per_rep"),
        )

    def __str__(self) -> str:
        return self.label or f"clip {self.clip_id}, rep {self.rep + 1}"
