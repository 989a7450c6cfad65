"""result.json reads back into the same typed AnalysisResult; results are never changed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import ResultFormatError
from analyzer.export import load_result, result_to_dict
from analyzer.outputs import write_outputs
from analyzer.pipeline import analyze_track
from analyzer.results import (
    AnalysisResult,
    CaptureReport,
    Finding,
    FindingBand,
    FindingEvidence,
    MetricValue,
)
from analyzer.video.info import VideoInfo
from tests.render.factories import make_result


def assert_same_result(a: AnalysisResult, b: AnalysisResult) -> None:
    """Equal as typed values: containers compared field by field, arrays element-wise."""
    assert result_to_dict(a) == result_to_dict(b)
    assert a.motion.events == b.motion.events
    assert a.motion.steps == b.motion.steps
    assert a.motion.phases == b.motion.phases
    assert a.motion.view == b.motion.view
    assert a.capture == b.capture
    for key, m in a.motion.metrics.items():
        assert result_to_dict_metric(m) == result_to_dict_metric(b.motion.metrics[key]), key
    if a.faults is not None:
        assert b.faults is not None
        assert a.faults.findings == b.faults.findings
        assert a.faults.not_assessable == b.faults.not_assessable
        assert a.faults.focus == b.faults.focus
    ta, tb = a.motion.track, b.motion.track
    np.testing.assert_array_equal(ta.times_s, tb.times_s)
    np.testing.assert_array_equal(ta.image_xy, tb.image_xy)
    np.testing.assert_array_equal(ta.visibility, tb.visibility)
    assert ta.image_size == tb.image_size and ta.model == tb.model
    assert list(a.motion.series) == list(b.motion.series)
    for key, arr in a.motion.series.items():
        np.testing.assert_array_equal(np.asarray(arr, float), b.motion.series[key])


def result_to_dict_metric(m: MetricValue) -> tuple:
    # NaN details (not finite) are stored as null and read back as NaN: compare as text
    return tuple(repr(getattr(m, f.name)) for f in dataclasses.fields(m))


@pytest.fixture(scope="module")
def synthetic_result() -> AnalysisResult:
    return analyze_track(make_result().motion.track)


def test_round_trip_of_a_synthetic_analysis(tmp_path: Path, synthetic_result) -> None:
    written = write_outputs(synthetic_result, tmp_path / "out")
    loaded = load_result(written["result"])
    assert isinstance(loaded.capture, CaptureReport)
    assert loaded.faults is not None and loaded.faults.findings
    f = loaded.faults.findings[0]
    assert isinstance(f, Finding) and isinstance(f.band, FindingBand)
    assert all(isinstance(e, FindingEvidence) for e in f.evidence)
    assert isinstance(f.frames, tuple) and all(isinstance(r, tuple) for r in f.frames)
    assert_same_result(synthetic_result, loaded)
    # the folder itself can be given, and a loaded result writes the same result.json again
    again = write_outputs(load_result(tmp_path / "out"), tmp_path / "again")
    first, second = (json.loads(w["result"].read_text()) for w in (written, again))
    # what writing each folder cost is measured anew (a fact of the folder, not the analysis)
    assert set(first.pop("output_timings_s")) == set(second.pop("output_timings_s"))
    assert second == first


def test_results_are_immutable(synthetic_result) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        synthetic_result.capture = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        synthetic_result.motion.metrics = {}  # type: ignore[misc]
    assert synthetic_result.capture is not None  # the capture verdict is a pipeline stage
    assert {"motion_s", "faults_s", "capture_s", "total_s"} <= set(synthetic_result.timings_s)


def test_writing_does_not_change_the_result(tmp_path: Path, synthetic_result) -> None:
    before = result_to_dict(synthetic_result)
    write_outputs(synthetic_result, tmp_path / "out")
    assert result_to_dict(synthetic_result) == before


def test_schema_1_file_gets_a_clear_error(tmp_path: Path, synthetic_result) -> None:
    written = write_outputs(synthetic_result, tmp_path / "out")
    doc = json.loads(written["result"].read_text())
    doc["schema_version"] = "1.0"
    written["result"].write_text(json.dumps(doc))
    with pytest.raises(ResultFormatError) as err:
        load_result(written["result"])
    assert "1.0" in err.value.message and "re-run" in err.value.hint.lower()


def test_damaged_or_missing_files_get_a_clear_error(tmp_path: Path, synthetic_result) -> None:
    with pytest.raises(ResultFormatError):
        load_result(tmp_path / "nowhere")
    written = write_outputs(synthetic_result, tmp_path / "out")
    written["track"].write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(ResultFormatError, match="track"):
        load_result(written["result"])
    written["result"].write_text("{not json")
    with pytest.raises(ResultFormatError):
        load_result(written["result"])


def test_damage_and_rotation_round_trip(tmp_path: Path) -> None:
    """A damaged clip's lost spans and warning, and the user's rotation in the probe, are
    typed fields of the result that result.json gives back unchanged."""
    track = make_result().motion.track
    sentence = "the clip is damaged: 12 of 229 frames could not be decoded (at 1.50-1.68 s)"
    meta = {**track.meta, "lost_spans_s": [[1.5, 1.6833]], "video_problems": [sentence]}
    result = analyze_track(track.with_arrays(meta=meta))
    assert result.capture is not None
    assert result.capture.lost_spans_s == ((1.5, 1.6833),)
    assert result.warnings == [sentence]
    video = VideoInfo(
        path=Path("clip.mp4"), width=720, height=1280, fps=30.0, playback_fps=30.0,
        capture_fps=None, frame_count=229, duration_s=7.63, codec="h264", rotation_deg=0,
        stored_width=720, stored_height=1280, pix_fmt="yuv420p", container="mov,mp4",
        tagged_rotation_deg=270, rotation_source="user",
    )  # fmt: skip
    result = dataclasses.replace(result, capture=dataclasses.replace(result.capture, video=video))
    written = write_outputs(result, tmp_path / "out")
    doc = json.loads(written["result"].read_text())
    assert doc["capture"]["lost_spans_s"] == [[1.5, 1.6833]]
    assert doc["warnings"].count(sentence) == 1
    loaded = load_result(written["result"])
    assert_same_result(result, loaded)
    assert loaded.capture is not None and loaded.capture.video == video
    assert loaded.warnings == [sentence]
    # an older 2.0 file without the field reads back as "nothing lost"
    del doc["capture"]["lost_spans_s"]
    written["result"].write_text(json.dumps(doc))
    old = load_result(written["result"])
    assert old.capture is not None and old.capture.lost_spans_s == ()
