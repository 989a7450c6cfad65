# The two set-up commands of the README:
#   make demo   install, then analyse the bundled sample clip into out/sample/
#   make test   install (with test tools), then lint and run the default test suite
# make test-slow runs the heavier end-to-end tests (CI runs both: .ci/run).
.PHONY: demo test test-slow lint bench
SAMPLE ?= sample_videos/backpedal_side_left.mp4

demo:
	bash scripts/install.sh
	.venv/bin/backpedal analyze $(SAMPLE) --out out/sample

test:
	bash scripts/install.sh --test
	.venv/bin/python -m ruff check analyzer backpedal_dev tests benchmarks scripts
	.venv/bin/python -m mypy analyzer
	.venv/bin/lint-imports
	.venv/bin/python -m pytest -q -m "not slow"

test-slow:
	bash scripts/install.sh --test
	.venv/bin/python -m pytest -q -m slow

lint:
	.venv/bin/python -m ruff check analyzer backpedal_dev tests benchmarks scripts
	.venv/bin/python -m mypy analyzer
	.venv/bin/lint-imports

bench:
	.venv/bin/python benchmarks/bench_pipeline.py
