"""Benchmark the team batch: clips per minute with 1 and 2 local workers and a 2-worker Dask
cluster, on the same clips; scaling efficiency.

Not a test: a script that prints a Markdown table for the README.

    .venv/bin/python benchmarks/bench_batch.py              # 8 clips, 3 configurations
    .venv/bin/python benchmarks/bench_batch.py --clips 4    # quicker
    .venv/bin/python benchmarks/bench_batch.py --video      # also render annotated.mp4

The clips are the four bundled samples, each in two encodings (30 fps at 640x360, crf 23 and
crf 26), so all eight have different SHA-256s and each is really analysed (~114 frames of
pose each). Every configuration starts with an empty pose-track cache (the model bundle is
kept) and a new output folder, and is timed around ``run_batch`` as ``backpedal batch``
runs it: worker start-up and model warm-up included, the Dask cluster (like a cluster
already running) started before the clock. Load averages before and after each run are
printed, because the machine may be shared: read the figures with them.

- clips/min = clips / wall time x 60;
- speed-up = clips/min of the configuration / clips/min of 1 local worker;
- efficiency = speed-up / workers (target for 2 local workers on 2 cores: >= 0.9, i.e.
  a speed-up >= 1.8);
- worker CPU-s/clip: CPU time (user + system) of the worker processes per clip, warm-up
  included (``getrusage`` of the finished local workers; of each Dask worker process via
  ``client.run``). If it stays the same with two workers, they add no overhead of their own
  and the wall-clock speed-up is set by how much CPU the machine gives them;
- worker CPU/wall: how many cores the workers kept busy on average (2.0 at best with two).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLES = (
    "backpedal_side_left.mp4",
    "backpedal_side_right.mp4",
    "backpedal_front.mp4",
    "backpedal_fault_leaning_back.mp4",
)
ENCODINGS = (("a", "23"), ("b", "26"))


def make_clips(folder: Path, n: int) -> list[Path]:
    """``n`` distinct clips (two encodings of each sample) under athlete sub-folders."""
    clips = []
    for i in range(n):
        sample = SAMPLES[i % len(SAMPLES)]
        tag, crf = ENCODINGS[(i // len(SAMPLES)) % len(ENCODINGS)]
        dest = folder / f"athlete{i % 4 + 1}" / f"{Path(sample).stem}_{tag}{i}.mp4"
        dest.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(ROOT / "sample_videos" / sample),
             "-vf", "fps=30,scale=640:360", "-c:v", "libx264", "-preset", "veryfast",
             "-crf", crf, str(dest)],
            check=True,
        )  # fmt: skip
        clips.append(dest)
    return clips


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def children_cpu_s() -> float:
    """CPU seconds (user + system) of this process's finished child processes."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def own_cpu_s() -> float:
    """CPU seconds of the calling process (run on each Dask worker)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def run_config(name: str, folder: Path, work: Path, video: bool, runner_factory, cpu_probe) -> dict:
    """Time one batch with an empty track cache; returns its figures."""
    from analyzer.batch.coordinator import BatchConfig, run_batch

    for sub in ("poses", "tracks"):  # the pose cache (analyzer.pose.cache), older layouts
        shutil.rmtree(Path(os.environ["BACKPEDAL_CACHE"]) / sub, ignore_errors=True)
    out = work / f"out-{name}"
    config = BatchConfig(folder=folder, out_dir=out, workers=2, with_video=video)
    load_before = _load()
    cpu0 = cpu_probe()
    t0 = time.perf_counter()
    report = run_batch(config, make_runner=runner_factory)
    wall = time.perf_counter() - t0
    worker_cpu = cpu_probe() - cpu0
    ok = report.counts.get("ok", 0)
    if ok != report.clips:
        raise SystemExit(f"{name}: only {ok} of {report.clips} clips scored: {report.counts}")
    return {
        "config": name,
        "clips": ok,
        "wall_s": wall,
        "clips_per_min": 60.0 * ok / wall,
        "worker_cpu_s_per_clip": worker_cpu / ok,
        "worker_cpu_per_wall": worker_cpu / wall,
        "load_before": load_before,
        "load_after": _load(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--video", action="store_true", help="render annotated.mp4 too")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask configuration")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    from analyzer.batch.local import LocalRunner

    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    os.environ["BACKPEDAL_CACHE"] = str(work / "cache")
    try:
        folder = work / "film"
        make_clips(folder, args.clips)
        rows = [
            run_config(
                "local, 1 worker",
                folder,
                work,
                args.video,
                lambda c: LocalRunner(1),
                children_cpu_s,
            ),
            run_config(
                "local, 2 workers",
                folder,
                work,
                args.video,
                lambda c: LocalRunner(2),
                children_cpu_s,
            ),
        ]
        if not args.no_dask:
            rows.append(_dask_row(folder, work, args.video))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = rows[0]["clips_per_min"]
    workers = {"local, 1 worker": 1}
    video = "on" if args.video else "off"
    print(f"{args.clips} clips (30 fps, 640x360, 3.8 s), video {video}, {os.cpu_count()} cores")
    print()
    print(
        "| configuration | wall (s) | clips/min | speed-up | efficiency | worker CPU-s/clip "
        "| worker CPU/wall | load before / after |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        n = workers.get(r["config"], 2)
        r["speed_up"] = r["clips_per_min"] / base
        r["efficiency"] = r["speed_up"] / n
        print(
            f"| {r['config']} | {r['wall_s']:.1f} | {r['clips_per_min']:.1f} | "
            f"{r['speed_up']:.2f}x | {r['efficiency']:.2f} | {r['worker_cpu_s_per_clip']:.1f} | "
            f"{r['worker_cpu_per_wall']:.2f} | {r['load_before']} / {r['load_after']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


def _dask_row(folder: Path, work: Path, video: bool) -> dict:
    from distributed import Client, LocalCluster

    from analyzer.batch.dask_runner import DaskRunner

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        return run_config(
            "Dask LocalCluster, 2 workers",
            folder,
            work,
            video,
            lambda c: DaskRunner(client=client),
            lambda: sum(client.run(own_cpu_s).values()),
        )


if __name__ == "__main__":
    sys.exit(main())
