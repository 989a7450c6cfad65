"""Team batch scoring: a folder of clips -> per-clip folders, ``summary.csv``, ``team.html``.

Resumable (an SQLite manifest written by the coordinator alone), on local worker processes
or a Dask cluster. Entry point: :func:`analyzer.batch.coordinator.run_batch`; the command is
``backpedal batch`` (:mod:`analyzer.commands.batch`). Modules:

- :mod:`~analyzer.batch.discover`: clips and roster;
- :mod:`~analyzer.batch.analysis`: the only calls into the one-clip analysis;
- :mod:`~analyzer.batch.manifest`: the manifest;
- :mod:`~analyzer.batch.local`, :mod:`~analyzer.batch.dask_runner`: where clips run;
- :mod:`~analyzer.batch.summary`, :mod:`~analyzer.batch.team`: the team outputs.
"""
