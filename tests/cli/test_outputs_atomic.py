"""Output folders are complete or absent; the pose cache survives parallel runs; a real
clip's result reads back equal; the clip is probed once per analysis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analyzer.export import load_result, result_to_dict
from analyzer.outputs import write_outputs
from analyzer.pipeline import analyze_clip
from tests.unit.test_result_roundtrip import assert_same_result

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_videos" / "backpedal_side_left.mp4"
N_FRAMES = 229


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One analysis of the sample: a complete output folder and a warm pose cache."""
    base = tmp_path_factory.mktemp("atomic")
    first = base / "first"
    proc = _analyze(base / "cache", first, "--no-video")
    assert proc.wait(timeout=600) == 0
    return {"cache": base / "cache", "first": first, "base": base}


def _analyze(cache: Path, out: Path, *extra: str, clip: Path = SAMPLE) -> subprocess.Popen:
    env = {**os.environ, "BACKPEDAL_CACHE": str(cache)}
    cmd = [sys.executable, "-m", "analyzer.cli", "analyze", str(clip), "--out", str(out), "-q"]
    return subprocess.Popen(
        [*cmd, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _decoded_frames(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_real_clip_round_trip_and_one_probe(
    warm: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analyzer.video
    import analyzer.video.probe
    import analyzer.video.reader

    calls: list[Path] = []
    real = analyzer.video.probe.probe_video

    def counting(path, **kwargs):
        calls.append(Path(path))
        return real(path, **kwargs)

    for module in (analyzer.video, analyzer.video.probe, analyzer.video.reader):
        monkeypatch.setattr(module, "probe_video", counting)
    result = analyze_clip(SAMPLE, cache_dir=warm["cache"])
    written = write_outputs(result, tmp_path / "out", clip=SAMPLE)
    assert len(calls) == 1, calls  # analysis and every output: one probe
    assert result.provenance["track_cache_hit"] is True
    assert result.capture is not None and result.capture.brightness is not None
    assert result.capture.brightness.n_frames == N_FRAMES  # gathered in the pose pass
    loaded = load_result(written["result"])
    assert_same_result(result, loaded)
    assert _decoded_frames(written["annotated.mp4"]) == N_FRAMES


def test_a_failure_while_writing_leaves_the_old_folder(
    warm: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = load_result(warm["first"])
    out = tmp_path / "out"
    write_outputs(result, out)
    before = _snapshot(out)

    def broken(result, folder, **_kwargs):
        (Path(folder) / "annotated.mp4").write_bytes(b"\x00" * 48)
        raise OSError("disk full")

    monkeypatch.setattr("analyzer.render.folder.write_render_outputs", broken)
    with pytest.raises(OSError, match="disk full"):
        write_outputs(result, out, clip=SAMPLE)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary left


@pytest.mark.slow
def test_a_run_killed_during_the_video_never_leaves_a_mixed_folder(
    warm: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = _analyze(warm["cache"], out, "--profile", "youth")
    assert done.wait(timeout=600) == 0, done.stderr.read() if done.stderr else ""
    before = _snapshot(out)
    run = _analyze(warm["cache"], out)
    deadline = time.monotonic() + 300
    video = None
    while time.monotonic() < deadline and run.poll() is None:
        found = [p for p in tmp_path.glob(".out.tmp-*/annotated.mp4") if p.stat().st_size > 0]
        if found:
            video = found[0]
            break
        time.sleep(0.05)
    assert video is not None, "the run never reached the video stage"
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    if out.exists():
        assert _snapshot(out) == before  # the old folder, untouched
    assert load_result(out).provenance["settings"]["profile"] == "youth"


@pytest.mark.slow
def test_two_runs_into_one_folder_leave_a_playable_video(
    warm: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    runs = [_analyze(warm["cache"], out), _analyze(warm["cache"], out)]
    for run in runs:
        assert run.wait(timeout=600) == 0, run.stderr.read() if run.stderr else ""
    assert _decoded_frames(out / "annotated.mp4") == N_FRAMES
    assert load_result(out).motion.track.n_frames == N_FRAMES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
def test_two_processes_analyse_one_clip_with_a_cold_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    runs = [_analyze(cache, tmp_path / f"out{i}", "--no-video") for i in range(2)]
    for run in runs:
        assert run.wait(timeout=900) == 0, run.stderr.read() if run.stderr else ""
        assert "Traceback" not in (run.stderr.read() if run.stderr else "")
    entries = list((cache / "poses").iterdir())
    assert len(entries) == 1 and entries[0].suffix == ".npz"  # no temporary file left
    a, b = (load_result(tmp_path / f"out{i}") for i in range(2))
    assert result_to_dict(a)["metrics"] == result_to_dict(b)["metrics"]
