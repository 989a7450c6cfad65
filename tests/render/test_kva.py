"""Kinovea sidecar: structure Kinovea reads, one key image per flagged frame at the right time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from analyzer.render.kva import clip_timing, kva_timing, write_kva
from tests.render.factories import make_result, make_track, write_clip


@pytest.fixture(scope="module")
def result():
    return make_result()


def test_timing_known_answers():
    assert kva_timing(30.0) == (33, 0)  # millisecond ticks
    assert kva_timing(30.0, time_base=Fraction(1, 15360)) == (512, 0)
    assert kva_timing(60.0, time_base=Fraction(1, 90000), first_pts=3000) == (1500, 3000)


def test_kva_has_one_titled_key_image_per_flagged_frame(tmp_path, result):
    path = write_kva(
        result,
        tmp_path / "stick.kva",
        video_name="stick.mp4",
        time_base=Fraction(1, 90000),
        first_pts=0,
    )
    root = ET.parse(path).getroot()
    assert root.tag == "KinoveaVideoAnalysis"
    assert root.findtext("FormatVersion") == "2.0"
    assert root.findtext("OriginalFilename") == "stick"
    assert root.findtext("ImageSize") == "640;360"
    per_frame = int(root.findtext("AverageTimeStampsPerFrame"))
    first = int(root.findtext("FirstTimeStamp"))
    assert per_frame == 3000 and first == 0
    kfs = root.find("Keyframes").findall("Keyframe")
    expected = {f.key_frame: f.title for f in result.faults.findings}
    assert len(kfs) == len(expected)
    got = {}
    for kf in kfs:
        assert kf.get("id")
        frame = (int(kf.findtext("Position")) - first) / per_frame
        assert frame == int(frame)
        got[int(frame)] = kf.findtext("Title")
        assert "Cue:" in kf.findtext("Comment")
    assert got == expected
    # the order Kinovea's reader expects: header before Keyframes, Position first in a key image
    tags = [el.tag for el in root]
    assert tags.index("AverageTimeStampsPerFrame") < tags.index("Keyframes")
    assert [el.tag for el in kfs[0]][:2] == ["Position", "Title"]


def test_findings_on_the_same_frame_share_a_key_image(tmp_path):
    from dataclasses import replace

    r = make_result()
    r.faults.findings[1] = replace(r.faults.findings[1], key_frame=r.faults.findings[0].key_frame)
    root = ET.parse(write_kva(r, tmp_path / "x.kva", video_name="x.mp4")).getroot()
    kfs = root.find("Keyframes").findall("Keyframe")
    assert len(kfs) == 2
    assert " + " in kfs[0].findtext("Title") or " + " in kfs[1].findtext("Title")


def test_no_findings_no_keyframes(tmp_path):
    r = make_result(with_faults=False)
    root = ET.parse(write_kva(r, tmp_path / "x.kva", video_name="x.mp4")).getroot()
    assert root.find("Keyframes") is None


def test_clip_timing_reads_the_stream(tmp_path):
    clip = write_clip(make_track(10), tmp_path / "c.mp4")
    time_base, first = clip_timing(clip)
    assert time_base == Fraction(1, 90000) and first == 0
