"""The web app's door into the analyzer: settings checked before queuing, results read typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from analyzer.errors import ConfigError, ProfileError, ResultFormatError
from analyzer.web import analysis
from analyzer.web.models import Clip, Job
from tests.web.fakes import SAMPLE_CLIP, fake_result, write_fake_outputs


def test_settings_are_checked_and_kept():
    kept = analysis.check_clip_settings(
        {"profile": "db-backpedal", "athlete_height_m": 1.8, "units": "metric", "qb_side": ""}
    )
    assert kept == {"profile": "db-backpedal", "athlete_height_m": 1.8}
    assert analysis.check_clip_settings({"profile": None}) == {}


@pytest.mark.parametrize(
    ("chosen", "error", "words"),
    [
        ({"profile": "no-such-profile"}, ProfileError, "no-such-profile"),
        ({"athlete_height_m": 4.0}, ConfigError, "athlete height"),
        ({"capture_fps": float("nan")}, ConfigError, "capture rate"),
        ({"qb_side": "behind"}, ConfigError, "qb_side"),
    ],
)
def test_bad_settings_are_refused_with_what_to_do(chosen, error, words):
    with pytest.raises(error) as info:
        analysis.check_clip_settings(chosen)
    assert words in info.value.message and info.value.hint


def test_a_result_is_summarised_from_the_typed_result(tmp_path):
    write_fake_outputs(tmp_path, overall=61.04)
    summary = analysis.summarize_result(tmp_path / "result.json")
    assert summary == analysis.summarize(fake_result(61.04))
    assert summary["overall"] == 61.0 and summary["categories"] == {"posture": 65.0,
                                                                     "footwork": None}
    assert summary["findings"][0] == {"id": "high_hips", "title": "Hips too high",
                                      "severity": "major", "cue": "Sit into it.",
                                      "key_frame": 20, "metric": "hip_height_ratio"}
    assert summary["not_assessable"] == ["base_width", "eyes_off_target"]
    assert summary["view"] == "side" and summary["n_frames"] == 60
    json.dumps(summary)  # stored in a JSON field


def test_a_result_that_cannot_be_read_back_is_a_clear_error(tmp_path):
    write_fake_outputs(tmp_path)
    (tmp_path / "series.npz").write_bytes(b"damaged")
    with pytest.raises(ResultFormatError, match=r"series\.npz"):
        analysis.summarize_result(tmp_path / "result.json")
    with pytest.raises(ResultFormatError, match="does not exist"):
        analysis.summarize_result(tmp_path / "missing" / "result.json")


@pytest.mark.django_db
def test_a_bad_team_profile_is_refused_at_upload(coach_client, settings):
    settings.ANALYSIS_PROFILE = "no-such-profile"
    clip = SimpleUploadedFile("rep.mp4", SAMPLE_CLIP.read_bytes(), content_type="video/mp4")
    resp = coach_client.post(reverse("upload"), {"clip": clip, "recorded_on": "2026-11-01"})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "no-such-profile" in html and "backpedal profiles" in html
    assert not Clip.objects.exists() and not Job.objects.exists()
    assert not any(Path(settings.UPLOAD_DIR).iterdir())
    assert not any(Path(settings.TMP_DIR).iterdir())


@pytest.mark.django_db
def test_the_team_profile_goes_with_each_clip(coach_client, settings):
    settings.ANALYSIS_PROFILE = "db-backpedal"
    clip = SimpleUploadedFile("rep.mp4", SAMPLE_CLIP.read_bytes(), content_type="video/mp4")
    resp = coach_client.post(reverse("upload"), {"clip": clip, "recorded_on": "2026-11-01",
                                                 "athlete_height_m": "1.8"})
    assert resp.status_code == 302
    assert Clip.objects.get().settings == {"profile": "db-backpedal", "athlete_height_m": 1.8}
