"""Fixtures of the review tests: ONE real analysis of a sample clip per test session
(a stricter test profile, so the clip has three findings to confirm or dismiss), copied into
each test's clips; a helper to add a clip to a team from it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.web.fakes import PROJECT_ROOT

REVIEW_CLIP = PROJECT_ROOT / "sample_videos" / "backpedal_fault_leaning_back.mp4"
STRICT_PROFILE = Path(__file__).with_name("strict_profile.toml")


@pytest.fixture(scope="session")
def analysed_dir(tmp_path_factory) -> Path:
    """A real ``write_outputs`` folder of the sample clip (its own pose cache: the user's
    cache is never touched)."""
    from analyzer.outputs import write_outputs
    from analyzer.pipeline import AnalysisSettings, analyze_clip

    base = tmp_path_factory.mktemp("review-analysis")
    out = base / "out"
    result = analyze_clip(
        REVIEW_CLIP, AnalysisSettings(profile=str(STRICT_PROFILE)), cache_dir=base / "cache"
    )
    write_outputs(result, out, clip=REVIEW_CLIP, with_video=True, embed_video=False)
    return out


@pytest.fixture
def add_clip(analysed_dir, db):
    """add_clip(team_name, athlete=None, recorded_on=None, keep_upload=True) -> Clip (done)."""
    from analyzer.web import analysis, storage
    from analyzer.web.models import Athlete, Clip, Team

    def add(
        team: str = "Eagles",
        athlete: str | None = "Sam",
        recorded_on=None,
        keep_upload: bool = True,
        summary_edit=None,
    ) -> Clip:
        t, _ = Team.objects.get_or_create(name=team)
        a = Athlete.objects.get_or_create(team=t, name=athlete)[0] if athlete else None
        stored = ""
        if keep_upload:
            stored = f"review-{Clip.objects.count()}-{t.pk}.mp4"
            shutil.copyfile(REVIEW_CLIP, storage.upload_path(stored))
        clip = Clip.objects.create(
            team=t,
            athlete=a,
            original_name=REVIEW_CLIP.name,
            stored_name=stored,
            status=Clip.Status.DONE,
            recorded_on=recorded_on or dt.date(2026, 11, 2),
        )
        shutil.copytree(analysed_dir, clip.result_dir, dirs_exist_ok=True)
        summary = analysis.summarize_result(clip.result_dir / "result.json")
        if summary_edit is not None:
            summary_edit(summary)
        clip.summary = summary
        clip.overall_score = summary["overall"]
        clip.save()
        return clip

    return add
