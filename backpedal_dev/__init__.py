"""Development-only tools of Backpedal Analyzer: not part of the runtime install.

``backpedal_dev.synth`` renders synthetic athletes with known motion (generator, renderer,
truth) and ``backpedal_dev.bench`` runs the accuracy benchmark on them. Tests, benchmarks and
``scripts/make_samples.py`` import it from the source tree; ``pip install .`` does not carry it.
"""
