"""A worker process whose analysis is a slow stand-in, for the tests that kill or stop it.

Run as ``python -m tests.web.slow_worker WORKER_ID`` with the same environment as the
server (``BACKPEDAL_WEB_DATA``, ``BACKPEDAL_WEB_DATABASE``); the queue code is the real one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "analyzer.web.settings")
    import django

    django.setup()
    from analyzer.web import analysis
    from analyzer.web.worker import _raise_exit, run_worker

    def slow(clip, out_dir, settings, progress=None):
        for i in range(600):
            if progress:
                progress("pose", i, 600)
            time.sleep(0.1)
        raise RuntimeError("the slow stand-in should have been stopped")

    analysis.run_analysis = slow
    signal.signal(signal.SIGTERM, _raise_exit)
    with contextlib.suppress(SystemExit):
        run_worker(sys.argv[1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
