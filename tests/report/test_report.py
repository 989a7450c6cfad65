"""report.html: self-contained (no network), every section present, findings with pictures."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import numpy as np
import pytest

from analyzer.render.report import (
    build_report_context,
    key_frame_image,
    key_frame_indices,
    write_report,
)
from analyzer.results import CaptureAssessment, CaptureCheck, CaptureReport
from tests.render.factories import make_result, render_frames


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "poster", "data", "action") and v is not None:
                self.refs.append((tag, k, v))


@pytest.fixture(scope="module")
def result():
    return make_result()


@pytest.fixture(scope="module")
def key_frames(result):
    wanted = set(key_frame_indices(result))
    return {i: f for i, f in render_frames(result.motion.track) if i in wanted}


@pytest.fixture(scope="module")
def html(result, key_frames, tmp_path_factory):
    path = write_report(result, tmp_path_factory.mktemp("rep"), key_frames=key_frames)
    assert path.name == "report.html"
    return path.read_text(encoding="utf-8")


def test_report_is_self_contained(html):
    parser = _Refs()
    parser.feed(html)
    for tag, attr, value in parser.refs:
        if tag == "a":
            assert value.startswith("#"), value
        elif tag == "video":
            assert value == "annotated.mp4"
        else:
            assert value.startswith("data:image/"), (tag, attr, value[:40])
    assert "link" not in parser.tags
    assert not re.search(r"https?://", html.split("<footer")[0])
    assert "<script src" not in html and "@import" not in html


def test_every_image_is_embedded_and_decodes(html):
    import base64

    import cv2

    uris = re.findall(r'src="data:image/(png|jpeg);base64,([^"]+)"', html)
    assert len(uris) == 3 + 5  # three key frames, five plots
    for _, data in uris:
        img = cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[0] > 100


def test_findings_scores_capture_and_footer(result, html):
    for f in result.faults.findings:
        assert f.title in html and f.cue.replace("'", "&#39;") in html
        for d in f.drills:
            assert d in html
    assert ">64<" in html  # overall score
    assert "not assessed" in html  # head category
    # bands in one form, lengths in inches for a typical stature (imperial is the default)
    assert "Target: hips between 8 in and 3 in lower than standing" in html
    assert "Target: between 45° and 75°" in html and "Target: at least 50°" in html
    assert "estimates for a typical athlete of 5 ft 9 in" in html
    assert "Filming quality" in html and "Frame rate" in html and "30 fps" in html
    for n in result.faults.not_assessable:
        assert n.reason in html
    assert "0" * 64 in html  # clip hash in the provenance footer
    assert "no published norms" in html.lower() or "provisional" in html


def test_findings_are_ordered_by_severity(result, html):
    major_first = html.index("Standing too tall") < html.index("Knees too straight")
    assert major_first


def test_seek_buttons_point_at_the_finding_frames(result, html):
    f = result.faults.findings[0]
    t = result.motion.track.times_s[f.frames[0][0]]
    assert f'data-seek="{t:.3f}"' in html


def test_missing_key_frame_and_no_video(result, tmp_path):
    html = write_report(result, tmp_path, key_frames={}, video_name=None).read_text()
    assert "No picture for this frame" in html
    assert "<video" not in html and "data-seek=" not in html


def test_no_faults_report(tmp_path):
    r = make_result(with_faults=False)
    html = write_report(r, tmp_path, key_frames={}).read_text()
    assert "No fault checks were run" in html


def test_key_frame_image_is_a_crop_with_the_measurement(result, key_frames):
    f = result.faults.findings[1]
    raw = key_frames[f.key_frame]
    img = key_frame_image(result, f, raw, out_height=540)
    assert img.shape[0] == 540 and img.shape[2] == 3
    assert img.shape[1] / img.shape[0] == pytest.approx(4 / 3, abs=0.02)


def test_capture_stored_in_the_result_is_used(result, key_frames):
    r = replace(
        result,
        capture=CaptureReport(
            CaptureAssessment(
                checks=(
                    CaptureCheck("view", "Camera view", "rear", "poor", "Film from the side."),
                ),
                verdict="poor",
            )
        ),
    )
    ctx = build_report_context(r, key_frames=key_frames)
    assert ctx["capture"]["verdict"] == "poor"
    assert ctx["capture"]["advice"] == ["Film from the side."]


def test_html_escapes_text(tmp_path):
    r = make_result()
    f = r.faults.findings[0]
    r.faults.findings[0] = replace(f, cue="<script>alert(1)</script>")
    html = write_report(r, tmp_path, key_frames={}).read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _with_reps(per_rep, trend=None):
    r = make_result()
    scores = replace(r.faults.scores, per_rep=per_rep, trend=trend or {})
    return replace(r, faults=replace(r.faults, scores=scores))


def test_per_rep_scores_and_trend(tmp_path):
    r = _with_reps(
        [{"rep": 0, "overall": 82.0}, {"rep": 1, "overall": 61.0}],
        {"direction": "dropping", "reps": 2},
    )
    html = write_report(r, tmp_path, key_frames={}).read_text()
    assert "Rep 1: <b>82</b>" in html and "Rep 2: <b>61</b>" in html
    assert "Form drops over the reps" in html
    single = _with_reps([{"rep": 0, "overall": 82.0}])
    assert "Per rep" not in write_report(single, tmp_path, key_frames={}).read_text()
