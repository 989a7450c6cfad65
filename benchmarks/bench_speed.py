"""Benchmark the whole commands against the loop a user would write: wall time and memory.

Not a test: a script that prints the README's "Speed" tables (Markdown).

    .venv/bin/python benchmarks/bench_speed.py             # 3 rounds, 720p and 1080p, memory
    .venv/bin/python benchmarks/bench_speed.py --quick     # 1 round, 720p, 10 s memory clip
    .venv/bin/python benchmarks/bench_speed.py --rounds 5 --json speed.json

What it runs, each as a whole command in its own process (start-up and imports count), on
portrait phone-like clips made in a temporary folder with ffmpeg from the bundled sample
``sample_videos/backpedal_front.mp4`` (cropped to 9:16, looped, 30 fps, H.264: 720x1280 at
8 Mbit/s and 1080x1920 at 16 Mbit/s, 12 s):

- the baseline: :func:`plain_loop`, the ~25 lines a user writes (OpenCV decode, BGR -> RGB,
  MediaPipe Tasks ``PoseLandmarker`` in VIDEO mode, one pose per frame, the model shipped
  with mediapipe as this project bundles it);
- ``backpedal pose CLIP --out track.npz``;
- ``backpedal analyze CLIP --out DIR`` (every output: annotated video, report, key frames,
  Kinovea file, CSVs);
- ``backpedal analyze CLIP --out DIR --no-video``.

``BACKPEDAL_CACHE`` points at a temporary folder whose pose cache (``poses/``) is emptied
before every run, so every command really estimates the poses (the model bundle, built once
before the clock, is kept: a user's is too). The commands are interleaved (loop, pose,
analyze, no-video, then the next round in a rotated order) and each command's time is
divided by the same round's loop time; the tables give the median of those ratios, because
the machine may be shared (the load averages are printed: read the figures with them). CPU
seconds of each process (user + system, all threads) are recorded too.

Peak memory: the largest resident set (``ru_maxrss`` of the finished child, read by a small
wrapper process so the benchmark's own size does not count) of ``backpedal analyze`` on a
1080p clip of 10 s and of 60 s (target: under 600 MB and flat in clip length).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_videos" / "backpedal_front.mp4"
#: name -> (width, height, bit rate) of the portrait test clips.
SIZES = {"720p": (720, 1280, "8M"), "1080p": (1080, 1920, "16M")}
#: (row name, command key, target ratio vs the loop).
ROWS = (
    ("plain loop: OpenCV + MediaPipe, 1 pose per frame", "loop", "1.00"),
    ("`backpedal pose`", "pose", "<= 1.05"),
    ("`backpedal analyze` (all outputs)", "analyze", "<= 1.5"),
    ("`backpedal analyze --no-video`", "no_video", "<= 1.15"),
)
MEMORY_TARGET_MB = 600


def plain_loop(clip: str, model: str) -> int:
    """The loop a user writes: decode with OpenCV, MediaPipe pose on every frame."""
    import cv2
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions
    from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerOptions, RunningMode

    options = PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=model),
        running_mode=RunningMode.VIDEO,
        num_poses=1,
    )
    cap = cv2.VideoCapture(clip)
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    found = n = 0
    with PoseLandmarker.create_from_options(options) as landmarker:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            result = landmarker.detect_for_video(image, round(n * 1000 / fps))
            found += bool(result.pose_landmarks)
            n += 1
    cap.release()
    return found


def make_clip(out: Path, width: int, height: int, bitrate: str, seconds: float) -> Path:
    """A portrait H.264 clip of ``seconds`` at 30 fps: the front-view sample cropped to 9:16
    (the athlete stays in the middle), scaled and looped."""
    if shutil.which("ffmpeg") is None:
        raise SystemExit("ffmpeg is needed to make the test clips (apt install ffmpeg).")
    loops = int(seconds // 3) + 1
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-stream_loop", str(loops), "-i", str(SAMPLE),
         "-t", f"{seconds}", "-an", "-vf", f"crop=ih*9/16:ih,scale={width}:{height},fps=30",
         "-c:v", "libx264", "-preset", "veryfast", "-b:v", bitrate, "-pix_fmt", "yuv420p",
         str(out)],
        check=True,
    )  # fmt: skip
    return out


def measured(cmd: list[str]) -> dict[str, float]:
    """Run ``cmd`` in a small wrapper process; its wall time, CPU time and peak RSS.

    The wrapper (this file, ``--measure``) is started fresh so the child's ``ru_maxrss``
    does not start from this process's size.
    """
    out = subprocess.run(
        [sys.executable, __file__, "--measure", *cmd],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ,
    )
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure_child(cmd: list[str]) -> None:
    """(In the wrapper process) run ``cmd``; print wall s, CPU s and max RSS as JSON."""
    import resource

    t0 = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # analyze exits 1 for a clip it cannot judge
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(done.returncode)
    print(
        json.dumps(
            {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "max_rss_mb": ru.ru_maxrss / 1024}
        )
    )


def commands(clip: Path, work: Path, model: Path) -> dict[str, list[str]]:
    """The four commands compared, by key."""
    script = Path(sys.executable).with_name("backpedal")  # the command a user runs
    cli = [str(script)] if script.is_file() else [sys.executable, "-m", "analyzer.cli"]
    return {
        "loop": [sys.executable, __file__, "--plain-loop", str(clip), str(model)],
        "pose": [*cli, "pose", str(clip), "--out", str(work / "track.npz"), "--quiet"],
        "analyze": [*cli, "analyze", str(clip), "--out", str(work / "out"), "--quiet"],
        "no_video": [
            *cli, "analyze", str(clip), "--out", str(work / "out_nv"), "--quiet", "--no-video",
        ],
    }  # fmt: skip


def run_fresh(cmd: list[str], cache: Path) -> dict[str, float]:
    """Empty the pose cache, then run and measure ``cmd``."""
    for sub in ("poses", "tracks"):
        shutil.rmtree(cache / sub, ignore_errors=True)
    return measured(cmd)


def speed(clip: Path, work: Path, model: Path, rounds: int) -> dict[str, object]:
    """Interleaved rounds of the four commands; medians of the per-round ratios."""
    cache = Path(os.environ["BACKPEDAL_CACHE"])
    cmds = commands(clip, work, model)
    keys = list(cmds)
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in keys}
    for r in range(rounds):
        order = keys[r % len(keys) :] + keys[: r % len(keys)]  # rotate who goes first
        for key in order:
            runs[key].append(run_fresh(cmds[key], cache))
            print(f"  round {r + 1} {key}: {runs[key][-1]}", file=sys.stderr)
    out: dict[str, object] = {"runs": runs}
    for key in keys:
        ratios = [a["wall_s"] / b["wall_s"] for a, b in zip(runs[key], runs["loop"], strict=True)]
        cpu = [a["cpu_s"] / b["cpu_s"] for a, b in zip(runs[key], runs["loop"], strict=True)]
        out[key] = {
            "median_s": median(x["wall_s"] for x in runs[key]),
            "ratio": median(ratios),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
            "cpu_s": median(x["cpu_s"] for x in runs[key]),
            "cpu_ratio": median(cpu),
            "max_rss_mb": max(x["max_rss_mb"] for x in runs[key]),
        }
    return out


def build_bundle() -> Path:
    """Build the model bundle into ``$BACKPEDAL_CACHE`` (in a child: keeps this process
    small) and return its path."""
    code = "from analyzer.pose.mediapipe_backend import resolve_model; print(resolve_model()[0])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return Path(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    ap.add_argument("--quick", action="store_true", help="1 round, 720p, 10 s memory clip")
    ap.add_argument("--sizes", default="720p,1080p", help="clip sizes: 720p,1080p")
    ap.add_argument("--seconds", type=float, default=12.0, help="length of the speed clips")
    ap.add_argument(
        "--memory-seconds", default="10,60", help="lengths of the 1080p memory clips ('' = none)"
    )
    ap.add_argument("--json", type=Path, help="also write every figure here")
    ap.add_argument("--plain-loop", nargs=2, metavar=("CLIP", "MODEL"), help=argparse.SUPPRESS)
    if sys.argv[1:2] == ["--measure"]:  # the wrapper process: the rest is the command
        _measure_child(sys.argv[2:])
        return
    args = ap.parse_args()
    if args.plain_loop:
        plain_loop(*args.plain_loop)
        return
    rounds, sizes, mem = args.rounds, args.sizes, args.memory_seconds
    if args.quick:
        rounds, sizes, mem = 1, "720p", "10"
    work = Path(tempfile.mkdtemp(prefix="bench-speed-"))
    os.environ["BACKPEDAL_CACHE"] = str(work / "cache")
    report: dict[str, object] = {"cpus": os.cpu_count(), "loadavg_start": os.getloadavg()}
    report["rounds"], report["seconds"] = rounds, args.seconds
    try:
        model = build_bundle()
        for seconds in [float(s) for s in mem.split(",") if s.strip()]:
            w, h, rate = SIZES["1080p"]
            clip = make_clip(work / f"mem{seconds:g}.mp4", w, h, rate, seconds)
            cmd = commands(clip, work, model)["analyze"]
            report[f"memory_{seconds:g}s"] = run_fresh(cmd, work / "cache")
            print(f"memory {seconds:g} s: {report[f'memory_{seconds:g}s']}", file=sys.stderr)
            clip.unlink()
        for name in [s.strip() for s in sizes.split(",") if s.strip()]:
            w, h, rate = SIZES[name]
            clip = make_clip(work / f"{name}.mp4", w, h, rate, args.seconds)
            print(f"{name}:", file=sys.stderr)
            report[name] = speed(clip, work, model, rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["loadavg_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    print(tables(report))


def _cells(row: dict[str, float]) -> str:
    return f"{row['median_s']:.1f} | {row['ratio']:.2f} | {row['cpu_ratio']:.2f}"


def tables(r: dict) -> str:  # type: ignore[type-arg]
    """The README's Markdown: load line, speed table, memory table."""
    la0, la1 = r["loadavg_start"], r["loadavg_end"]
    lines = [
        f"Measured on {r['cpus']} CPUs, load average {la0[0]:.1f} at the start and "
        f"{la1[0]:.1f} at the end"
        + " (the benchmark's own commands, up to two busy threads, count in the load)"
        + f"; {r['rounds']} interleaved rounds, median of each round's ratio to the loop "
        "(wall time; and CPU time of the process, all threads, which depends less on the "
        f"load); {r['seconds']:g} s portrait clips at 30 fps.",
        "",
    ]
    sizes = [s for s in SIZES if s in r]
    if sizes:
        head = " | ".join(f"{s}: median s | {s}: vs loop | {s}: vs loop, CPU s" for s in sizes)
        lines += [f"| what | {head} | target |", "|---|" + "---|---|---|" * len(sizes) + "---|"]
        for label, key, target in ROWS:
            cells = " | ".join(_cells(r[s][key]) for s in sizes)
            lines.append(f"| {label} | {cells} | {target} |")
        lines.append("")
    mem = sorted((k for k in r if k.startswith("memory_")), key=lambda k: float(k[7:-1]))
    if mem:
        lines += ["| `backpedal analyze`, 1080p clip | peak RSS (MB) | target |", "|---|---|---|"]
        for k in mem:
            lines.append(f"| {k[7:-1]} s | {r[k]['max_rss_mb']:.0f} | < {MEMORY_TARGET_MB}, flat |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
