"""The coach web app (``backpedal serve``): upload a phone clip, follow its analysis, read the
report, share it; one team's film behind a login.

A Django project configured in code (:mod:`analyzer.web.settings`); the analysis runs in
separate worker processes (:mod:`analyzer.web.worker`) that claim jobs from a table with
leases (:mod:`analyzer.web.jobs`). Every call into the analyzer goes through
:mod:`analyzer.web.analysis`. Needs the ``[web]`` extra.
"""
