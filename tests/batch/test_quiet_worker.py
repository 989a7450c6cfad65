"""A batch worker's fd 2 goes to /dev/null (MediaPipe's native lines) while Python's
messages, also those of named loggers such as Dask's, stay visible."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import logging, os, sys
    named = logging.getLogger("distributed.example")
    named.addHandler(logging.StreamHandler(sys.stderr))
    from analyzer.batch.local import quiet_native_stderr

    with quiet_native_stderr():
        os.write(2, b"native-inside\\n")
        named.warning("named-inside")
        print("python-inside", file=sys.stderr)
    os.write(2, b"native-after\\n")
    named.warning("named-after")
    """
)


def test_native_lines_dropped_python_lines_kept() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True
    )
    err = done.stderr.splitlines()
    assert "native-inside" not in err
    assert {"named-inside", "python-inside", "native-after", "named-after"} <= set(err)


def test_disabled_keeps_native_lines() -> None:
    script = SCRIPT.replace("quiet_native_stderr()", "quiet_native_stderr(enabled=False)")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert "native-inside" in done.stderr.splitlines()
