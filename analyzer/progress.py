"""The one progress-callback type every long stage takes (pose pass, video, outputs).

``progress(stage, done, total)`` is called as work advances: ``stage`` names the stage
("pose", "video", ...), ``done`` counts units (frames) finished, ``total`` is the expected
count or None when unknown. Front ends (the CLI's progress bar, a web job's status) supply it;
the library never prints.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[str, int, int | None], None]
