"""``python -m analyzer.web ARGS``: Django's management commands for the web app
(``migrate``, ``createcoach``, ``importbatch``, ``changepassword``, ...), configured by the same
environment as ``backpedal serve`` (``BACKPEDAL_WEB_DATA``, ``BACKPEDAL_WEB_DATABASE``)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "analyzer.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["python -m analyzer.web", *(argv or sys.argv[1:])])


if __name__ == "__main__":
    main()
