"""write_render_outputs: one streaming pass gives the video, report, .kva and CSVs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from analyzer.render.folder import write_render_outputs
from tests.render.factories import make_result, write_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return write_clip(make_result().motion.track, tmp_path_factory.mktemp("clip") / "stick.mp4")


def test_full_folder_from_a_clip(tmp_path, clip):
    r = make_result()
    written = write_render_outputs(r, tmp_path, clip=clip)
    assert set(written) == {"annotated.mp4", "report.html", "stick.kva", "steps.csv", "metrics.csv"}
    for path in written.values():
        assert path.is_file() and path.stat().st_size > 0
    assert r.capture is None  # rendering reads the result, never adds to it
    html = written["report.html"].read_text()
    assert 'src="annotated.mp4"' in html and html.count("data:image/jpeg") == 3
    root = ET.parse(written["stick.kva"]).getroot()
    assert root.findtext("AverageTimeStampsPerFrame") == "3000"  # 90 kHz stream at 30 fps
    assert len(root.find("Keyframes")) == 3


def test_without_video_the_key_frames_still_come_from_the_clip(tmp_path, clip):
    r = make_result()
    written = write_render_outputs(r, tmp_path, clip=clip, with_video=False)
    assert "annotated.mp4" not in written
    html = written["report.html"].read_text()
    assert "<video" not in html and html.count("data:image/jpeg") == 3


def test_track_only(tmp_path):
    r = make_result()
    written = write_render_outputs(r, tmp_path)
    assert set(written) == {"report.html", "steps.csv", "metrics.csv"}
    html = written["report.html"].read_text()
    assert "Lighting" in html and "not measured" in html
