"""Benchmark the pose pipeline: decode, inference and total cost per frame; memory vs clip length.

Not a test: a script that prints a Markdown table for the README.

    .venv/bin/python benchmarks/bench_pipeline.py            # full run (~5-10 min)
    .venv/bin/python benchmarks/bench_pipeline.py --quick    # fewer frames, 10 s clip only

What it measures, at 720p and 1080p (10 s H.264 clips at phone-like bit rates, 8 and
16 Mbit/s, made with ffmpeg from the Sports2D demo clip in ../shared/data, or a synthetic
clip if that is absent), all in this one process:

- pipeline: :func:`analyzer.pose.run.estimate_poses` on N frames (decoded in the same
  process, one frame-prefetch thread, straight to RGB, no resize) -> decode ms/frame (time
  spent waiting for the next frame), inference ms/frame, total ms/frame, frames per second;
- model only: the same N frames decoded beforehand into memory and fed to a fresh
  estimator with the same timestamps -> the model's own rate;
- ratio = pipeline fps / model-only fps (target >= 0.85); pipeline and model-only passes
  are interleaved (A B B A ...) and the median of the neighbouring pairs' ratios is
  reported, because the machine may be shared;
- CPU time per frame of both (all threads), and their ratio: on a machine with no spare
  core the wall-time ratio tends to it, with a spare core decoding overlaps inference;
- CPU time / wall time of the model-only pass (~1.0 = inference on one thread);
- peak RSS (``resource.getrusage``) of a fresh subprocess running the whole pipeline on a
  10 s and a 60 s 1080p clip (target: flat in clip length, < 600 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "videos" / "sports2d" / "demo.mp4"
sys.path.insert(0, str(ROOT))

RESOLUTIONS = {"720p": (1280, 720, "8M"), "1080p": (1920, 1080, "16M")}


def make_clip(out: Path, width: int, height: int, bitrate: str, seconds: float) -> Path:
    """H.264 clip of ``seconds`` at 30 fps from the demo clip (looped) or a synthetic one."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg and SOURCE.is_file():
        loops = int(seconds // 7) + 1
        cmd = [
            ffmpeg,
            "-v",
            "error",
            "-y",
            "-stream_loop",
            str(loops),
            "-i",
            str(SOURCE),
            "-t",
            f"{seconds}",
            "-an",
            "-vf",
            f"scale={width}:{height},fps=30",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-b:v",
            bitrate,
            "-pix_fmt",
            "yuv420p",
            str(out),
        ]
        subprocess.run(cmd, check=True)
        return out
    import numpy as np

    from analyzer.video import VideoWriter

    rng = np.random.default_rng(0)
    with VideoWriter(out, 30, (width, height), options={"preset": "veryfast"}) as w:
        for i in range(int(seconds * 30)):
            frame = rng.integers(0, 60, (height, width, 3), dtype=np.uint8)
            frame[:, (i * 8) % width : (i * 8) % width + 80] = 200
            w.write(frame)
    return out


def pipeline_pass(clip: Path, n: int, num_poses: int) -> dict[str, float]:
    from analyzer.pose.mediapipe_backend import MediaPipePoseEstimator
    from analyzer.pose.run import RunTimings, estimate_poses

    timings = RunTimings()
    with MediaPipePoseEstimator(num_poses=num_poses) as est:
        est.process(_warm_frame(clip), 0.0)  # load/warm the graph outside the timing
        est_timed = _Reset(est)
        c0, t0 = time.process_time(), time.perf_counter()
        estimate_poses(
            clip,
            est_timed,
            max_frames=n,
            min_person_fraction=0.0,
            min_duration_s=0.0,
            timings=timings,
        )
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    k = timings.n_frames
    return {
        "cpu_ms": 1e3 * cpu / k,
        "decode_ms": 1e3 * timings.decode_s / k,
        "infer_ms": 1e3 * timings.inference_s / k,
        "total_ms": 1e3 * wall / k,
        "fps": k / wall,
        "frames": k,
    }


class _Reset:
    """Wrap an estimator whose warm-up used t=0: shift the clip's times by +1 s."""

    def __init__(self, est):  # type: ignore[no-untyped-def]
        self._est, self.model, self.max_people = est, est.model, est.max_people

    def process(self, image, time_s):  # type: ignore[no-untyped-def]
        return self._est.process(image, time_s + 1.0)


def _warm_frame(clip: Path):  # type: ignore[no-untyped-def]
    from analyzer.video import iter_frames

    return next(iter_frames(clip, color="rgb", max_frames=1)).image


def model_only_pass(frames: list, times: list[float], num_poses: int) -> dict[str, float]:  # type: ignore[type-arg]
    from analyzer.pose.mediapipe_backend import MediaPipePoseEstimator

    with MediaPipePoseEstimator(num_poses=num_poses) as est:
        est.process(frames[0], 0.0)
        c0, t0 = time.process_time(), time.perf_counter()
        for image, t in zip(frames, times, strict=True):
            est.process(image, t + 1.0)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "cpu_ms": 1e3 * cpu / len(frames),
        "infer_ms": 1e3 * wall / len(frames),
        "fps": len(frames) / wall,
        "cpu_per_wall": cpu / wall,
    }


def decode_only(clip: Path, n: int) -> tuple[float, list, list[float]]:  # type: ignore[type-arg]
    from analyzer.video import iter_frames

    frames, times = [], []
    t0 = time.perf_counter()
    for f in iter_frames(clip, color="rgb", max_frames=n):
        frames.append(f.image)
        times.append(f.time_s)
    return 1e3 * (time.perf_counter() - t0) / len(frames), frames, times


def speed(clip: Path, n: int, rounds: int) -> dict[str, float]:
    decode_ms, frames, times = decode_only(clip, n)
    pipe, model, ratios = [], [], []
    for i in range(rounds):  # interleave A B B A ... on a shared machine; pair neighbours
        if i % 2 == 0:
            pipe.append(pipeline_pass(clip, n, 2))
            model.append(model_only_pass(frames, times, 2))
        else:
            model.append(model_only_pass(frames, times, 2))
            pipe.append(pipeline_pass(clip, n, 2))
        ratios.append(pipe[-1]["fps"] / model[-1]["fps"])
    model1 = model_only_pass(frames, times, 1)
    res = {"decode_only_ms": decode_ms, "frames": n, "rounds": rounds}
    for key in ("decode_ms", "infer_ms", "total_ms", "fps", "cpu_ms"):
        res[f"pipe_{key}"] = median(p[key] for p in pipe)
    res["model_cpu_ms"] = median(m["cpu_ms"] for m in model)
    res["model_ms"] = median(m["infer_ms"] for m in model)
    res["model_fps"] = median(m["fps"] for m in model)
    res["model_cpu_per_wall"] = median(m["cpu_per_wall"] for m in model)
    res["model1_ms"] = model1["infer_ms"]
    res["model1_cpu_ms"] = model1["cpu_ms"]
    res["ratio"] = median(ratios)  # median of neighbouring pipeline/model-only pairs
    res["ratio_min"], res["ratio_max"] = min(ratios), max(ratios)
    # the same ratio in CPU time: what the wall-time ratio tends to when no core is spare
    res["cpu_ratio"] = res["model_cpu_ms"] / res["pipe_cpu_ms"]
    return res


def child_memory(clip: Path) -> None:
    """Run in a fresh process: the whole pose step on ``clip``; print peak RSS as JSON."""
    from analyzer.pose.mediapipe_backend import MediaPipePoseEstimator
    from analyzer.pose.run import estimate_poses

    with MediaPipePoseEstimator(num_poses=2) as est:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        multi = estimate_poses(clip, est, min_person_fraction=0.0, min_duration_s=0.0)
        wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "frames": multi.n_frames,
                "vm_hwm_mb": _vm_hwm_kb() / 1024,
                "peak_rss_mb": peak / 1024,
                "rss_after_model_load_mb": before / 1024,
                "fps": multi.n_frames / wall,
            }
        )
    )


def _vm_hwm_kb() -> float:
    """Peak resident set of this process image (Linux /proc; NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


def memory(clip: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child-memory", str(clip)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames; 10 s clip only")
    parser.add_argument("--frames", type=int, default=60, help="frames per speed pass")
    parser.add_argument("--rounds", type=int, default=6, help="pipeline/model-only pairs")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--child-memory", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory)
        return
    n, rounds = (30, 1) if args.quick else (args.frames, args.rounds)
    load = os.getloadavg()
    report: dict[str, object] = {"cpus": os.cpu_count(), "loadavg_start": load}
    with tempfile.TemporaryDirectory(prefix="bench_pipeline_") as tmp:
        # memory first, while this parent process is still small: a child's ru_maxrss
        # starts from the parent's resident size at fork time
        w, h, rate = RESOLUTIONS["1080p"]
        lengths = (10.0,) if args.quick else (10.0, 60.0)
        for seconds in lengths:
            clip = make_clip(Path(tmp) / f"mem{int(seconds)}.mp4", w, h, rate, seconds)
            report[f"memory_{int(seconds)}s"] = memory(clip)
            print(f"memory {seconds}s: {report[f'memory_{int(seconds)}s']}", file=sys.stderr)
            clip.unlink()
        for name, (w, h, rate) in RESOLUTIONS.items():
            clip = make_clip(Path(tmp) / f"{name}.mp4", w, h, rate, 10.0)
            report[name] = speed(clip, n, rounds)
            print(f"{name}: {json.dumps(report[name])}", file=sys.stderr)
    report["loadavg_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    print_table(report)


def print_table(r: dict) -> None:  # type: ignore[type-arg]
    la0, la1 = r["loadavg_start"], r["loadavg_end"]
    print(
        f"Machine: {r['cpus']} CPUs, shared (load average {la0[0]:.1f} at start, "
        f"{la1[0]:.1f} at end); BlazePose full, Tasks API VIDEO mode, num_poses=2.\n"
    )
    print("| per frame | 720p | 1080p |")
    print("|---|---|---|")
    rows = [
        ("decode alone (ms)", "decode_only_ms", "{:.1f}"),
        ("pipeline: waiting for decode (ms)", "pipe_decode_ms", "{:.1f}"),
        ("pipeline: inference (ms)", "pipe_infer_ms", "{:.1f}"),
        ("pipeline: total (ms)", "pipe_total_ms", "{:.1f}"),
        ("pipeline (frames/s)", "pipe_fps", "{:.1f}"),
        ("model only, 2 poses (ms)", "model_ms", "{:.1f}"),
        ("model only, 2 poses (frames/s)", "model_fps", "{:.1f}"),
        ("model only, 1 pose (ms)", "model1_ms", "{:.1f}"),
        ("model only, 1 pose, CPU time (ms)", "model1_cpu_ms", "{:.1f}"),
        ("pipeline / model-only rate (target >= 0.85), median of pairs", "ratio", "{:.2f}"),
        ("  lowest / highest pair", "ratio_range", "{}"),
        ("pipeline CPU time (ms, all threads)", "pipe_cpu_ms", "{:.1f}"),
        ("model only CPU time (ms)", "model_cpu_ms", "{:.1f}"),
        ("model-only / pipeline CPU time", "cpu_ratio", "{:.2f}"),
        ("model CPU time / wall time", "model_cpu_per_wall", "{:.2f}"),
    ]
    for res in (r["720p"], r["1080p"]):
        res["ratio_range"] = f"{res['ratio_min']:.2f} / {res['ratio_max']:.2f}"
    for label, key, fmt in rows:
        print(f"| {label} | {fmt.format(r['720p'][key])} | {fmt.format(r['1080p'][key])} |")
    print(
        "\n| 1080p clip | frames | peak RSS, getrusage (MB) | VmHWM (MB) | after model load (MB) |"
    )
    print("|---|---|---|---|---|")
    for key in sorted(k for k in r if k.startswith("memory_")):
        m = r[key]
        print(
            f"| {key[7:]} | {m['frames']} | {m['peak_rss_mb']:.0f} | {m['vm_hwm_mb']:.0f} | "
            f"{m['rss_after_model_load_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
