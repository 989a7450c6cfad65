"""Benchmark the pose pass against the loop a user would write (issue 10, target <= 1.05x).

Not a test: prints the median of interleaved pair ratios (A B A B ...), so a machine shared
with other work slows both sides of each pair alike. Each run is a fresh process with an
empty pose cache, timed from launch to exit, as a user would see it:

- ``plain``: the 25-line loop of ``bench_speed.py`` (OpenCV decode, MediaPipe Tasks VIDEO
  mode, one pose per frame, the model shipped with mediapipe);
- ``pose``: ``backpedal pose CLIP --out track.npz`` (the follow pass: one pose per frame
  and a scan of everybody every 0.5 s in a second thread, the athlete chosen on the scan);
- ``dense``: ``backpedal pose CLIP --out track.npz --dense`` (two poses on every frame).

    .venv/bin/python benchmarks/bench_pose_pass.py CLIP [--pairs 3]

Without CLIP, a 12 s 720x1280 30 fps portrait clip is made with ffmpeg from the pose2sim
clip in ../shared/data (played forwards and backwards).
"""

from __future__ import annotations

import argparse
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
SOURCE = ROOT.parent / "shared" / "data" / "videos" / "pose2sim_single" / "cam02.mp4"

#: the loop a user would write is the one in bench_speed.py (one copy of the baseline)
SPEED_BENCH = Path(__file__).with_name("bench_speed.py")


def make_clip(out: Path) -> Path:
    """A 12 s 720x1280 30 fps portrait clip (pose2sim cam02 forwards and backwards)."""
    loop = (
        "[0:v]scale=720:1280,setpts=N/30/TB,split[a][b];[b]reverse[r];[a][r]concat=n=2:v=1[c];"
        "[c]split[c1][c2];[c1][c2]concat=n=2:v=1,setpts=N/30/TB,trim=end_frame=360[o]"
    )
    cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(SOURCE), "-filter_complex", loop, "-map",
           "[o]", "-r", "30", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)]  # fmt: skip
    subprocess.run(cmd, check=True)
    return out


def run_once(kind: str, clip: Path, work: Path) -> tuple[float, float]:
    """Wall and CPU seconds (all threads) of one fresh process running ``kind`` on ``clip``
    (the model bundle is built once in ``work``; the pose cache is emptied after every run)."""
    env = {**os.environ, "BACKPEDAL_CACHE": str(work / "cache")}
    if kind == "plain":
        from analyzer.pose.bundle import ensure_bundle

        cmd = [sys.executable, str(SPEED_BENCH), "--plain-loop", str(clip), str(ensure_bundle())]
    else:
        cmd = [sys.executable, "-m", "analyzer.cli", "pose", str(clip), "--quiet", "--out",
               str(work / "track.npz")] + (["--dense"] if kind == "dense" else [])  # fmt: skip
    t0, c0 = time.perf_counter(), _children_cpu_s()
    subprocess.run(cmd, check=True, env=env, cwd=ROOT, capture_output=True)
    elapsed, cpu = time.perf_counter() - t0, _children_cpu_s() - c0
    shutil.rmtree(work / "cache" / "poses", ignore_errors=True)
    return elapsed, cpu


def _children_cpu_s() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def main(argv: list[str] | None = None) -> int:
    """Run the interleaved pairs and print the ratios."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("clip", nargs="?", type=Path)
    p.add_argument("--pairs", type=int, default=3, help="rounds of plain, pose, dense")
    p.add_argument("--kinds", default="pose,dense", help="what to compare with the plain loop")
    args = p.parse_args(argv)
    kinds = args.kinds.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clip = args.clip or make_clip(work / "clip_720x1280_30fps.mp4")
        for kind in ("plain", *kinds):  # warm-up: model bundle, file caches
            run_once(kind, clip, work)
        ratios: dict[str, list[float]] = {k: [] for k in kinds}
        cpu_ratios: dict[str, list[float]] = {k: [] for k in kinds}
        for r in range(args.pairs):
            for kind in kinds:  # A B pairs, the plain loop first and second in turn
                order = ("plain", kind) if r % 2 == 0 else (kind, "plain")
                t = {k: run_once(k, clip, work) for k in order}
                ratios[kind].append(t[kind][0] / t["plain"][0])
                cpu_ratios[kind].append(t[kind][1] / t["plain"][1])
                print(f"round {r + 1}: plain {t['plain'][0]:.1f} s (cpu {t['plain'][1]:.1f}), "
                      f"{kind} {t[kind][0]:.1f} s (cpu {t[kind][1]:.1f}), wall ratio "
                      f"{ratios[kind][-1]:.3f}, cpu ratio {cpu_ratios[kind][-1]:.3f}",
                      flush=True)  # fmt: skip
    print(f"\n{clip.name}: median of {args.pairs} interleaved pair ratios vs the plain loop")
    for kind in kinds:
        print(f"  {kind}: wall {median(ratios[kind]):.3f}  (pairs: "
              f"{', '.join(f'{x:.3f}' for x in ratios[kind])}); CPU time "
              f"{median(cpu_ratios[kind]):.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
