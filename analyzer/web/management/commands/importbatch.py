"""``importbatch``: import a ``backpedal batch`` output folder into a team."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analyzer.errors import AnalyzerError
from analyzer.web.importer import import_batch
from analyzer.web.models import Team


class Command(BaseCommand):
    help = "Import a batch output folder (summary.csv and per-clip folders) into a team."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--team", required=True, help="team name (must exist)")

    def handle(self, *args, **opts) -> None:
        team = Team.objects.filter(name=opts["team"]).first()
        if team is None:
            raise CommandError(f"No team named {opts['team']!r}; create it with createcoach.")
        try:
            report = import_batch(opts["folder"], team)
        except AnalyzerError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Imported {report.imported} clip(s), {report.failed_rows} failed, "
            f"{report.skipped} already imported, {report.pending} not analysed yet, "
            f"{report.not_videos} file(s) the batch skipped (not video)."
        )
        for line in report.problems:
            self.stdout.write(f"  {line}")
