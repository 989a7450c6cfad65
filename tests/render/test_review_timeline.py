"""The review's data parts: the timeline on the annotated video's clock, the review's JSON
form and its checks, and the Kinovea file with a coach's review."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from analyzer.render.kva import kva_document, kva_with_review
from analyzer.render.timeline import rep_events, review_context, review_timeline, video_times_s
from analyzer.results import CaptureAssessment, CaptureReport
from analyzer.review import (
    CoachFlag,
    FindingDecision,
    Review,
    ReviewFormatError,
    review_from_dict,
    review_to_dict,
)
from analyzer.video.info import VideoInfo
from tests.render.factories import make_result


@pytest.fixture(scope="module")
def result():
    return make_result()


def test_timeline_frames_findings_contacts(result):
    line = review_timeline(result)
    n = result.motion.track.n_frames
    assert line["n_frames"] == n and len(line["times_s"]) == n
    assert line["times_s"][0] == 0.0 and line["fps"] == pytest.approx(30.0, rel=1e-3)
    order = {"major": 0, "moderate": 1, "minor": 2}
    sev = [f["severity"] for f in line["findings"]]
    assert sev == sorted(sev, key=order.__getitem__) and len(sev) == 3
    assert all(0 <= a <= b < n for f in line["findings"] for a, b in f["frames"])
    assert {c["kind"] for c in line["contacts"]} <= {"touchdown", "toe_off"}
    ctx = review_context(result)
    assert "</" not in ctx["json"]  # safe inside a <script> element


def test_slow_motion_frames_play_on_the_playback_clock(result):
    video = VideoInfo(
        path=Path("x.mp4"),
        width=640,
        height=360,
        fps=240.0,
        playback_fps=30.0,
        capture_fps=240.0,
        frame_count=60,
        duration_s=0.25,
        codec="h264",
        rotation_deg=0,
        stored_width=640,
        stored_height=360,
        pix_fmt="yuv420p",
        container="mov",
    )
    capture = CaptureReport(assessment=CaptureAssessment(checks=(), verdict="good"), video=video)
    real = result.motion.track.times_s
    slow = replace(result, capture=capture)
    # a 240 fps clip played at 30 fps: each real second lasts 8 s in the video
    assert np.allclose(video_times_s(slow), (real - real[0]) * 8.0)


def test_rep_events_pedal_contact_turn(result):
    reps = rep_events(result.motion)
    assert reps, "the stick figure has a rep"
    r = reps[0]
    assert r["pedal_start"] is not None and r["first_contact"] >= r["pedal_start"]
    touch = [e.frame for e in result.motion.events if e.kind == "touchdown"]
    assert r["first_contact"] in touch


def test_review_json_round_trip_and_checks():
    review = Review(
        decisions=(FindingDecision("a", "dismissed", "no"),),
        flags=(CoachFlag(frame=3, note="here", time_s=0.1),),
        clip_sha256="ab",
    )
    doc = review_to_dict(review)
    assert review_from_dict(doc, finding_ids={"a"}, n_frames=10) == replace(review, meta={})
    for bad, words in [
        ([], "not a backpedal review"),
        ({**doc, "decisions": [{"finding_id": "a", "decision": "maybe"}]}, "Unknown decision"),
        ({**doc, "flags": [{"frame": 10, "note": ""}]}, "past the clip"),
        ({**doc, "flags": [{"frame": True, "note": ""}]}, "frame number"),
        (
            {**doc, "decisions": [{"finding_id": "a", "decision": "confirmed", "note": 5}]},
            "must be text",
        ),
    ]:
        with pytest.raises(ReviewFormatError, match=words):
            review_from_dict(bad, finding_ids={"a"}, n_frames=10)


def test_kva_with_review_keeps_the_timing_and_adds_comments(result, tmp_path):
    f0, f1 = result.faults.findings[:2]
    review = Review(
        decisions=(
            FindingDecision(f0.id, "dismissed", "camera"),
            FindingDecision(f1.id, "confirmed"),
        ),
        flags=(CoachFlag(frame=f0.key_frame, note="same frame"), CoachFlag(frame=1, note="x")),
    )
    plain = tmp_path / "c.kva"
    kva_document(result, video_name="c.mp4").write(plain, encoding="utf-8", xml_declaration=True)
    root = ET.fromstring(kva_with_review(plain, result, review))
    assert root.findtext("AverageTimeStampsPerFrame") == ET.parse(plain).getroot().findtext(
        "AverageTimeStampsPerFrame"
    )
    frames = {k.findtext("Position"): k for k in root.findall("Keyframes/Keyframe")}
    per = int(root.findtext("AverageTimeStampsPerFrame"))
    shared = frames[str(f0.key_frame * per)]
    assert "Coach flag" in shared.findtext(
        "Title"
    ) and "(dismissed by the coach)" in shared.findtext("Title")
    assert "Coach: dismissed. camera" in shared.findtext("Comment")
    assert "Coach flag: same frame" in shared.findtext("Comment")
    assert frames[str(per)].findtext("Title") == "Coach flag"
    assert len(root.findall("Keyframes")) == 1
