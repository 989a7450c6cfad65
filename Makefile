# The two set-up commands of the README:
#   make demo   install, then analyse the bundled sample clip into out/sample/
#   make test   install (with test tools), then run the whole test suite
.PHONY: demo test lint bench
SAMPLE ?= sample_videos/backpedal_side_left.mp4

demo:
	bash scripts/install.sh
	.venv/bin/backpedal analyze $(SAMPLE) --out out/sample

test:
	bash scripts/install.sh --test
	.venv/bin/python -m ruff check analyzer backpedal_dev tests benchmarks scripts
	.venv/bin/python -m mypy analyzer
	.venv/bin/lint-imports
	.venv/bin/python -m pytest -q

lint:
	.venv/bin/python -m ruff check analyzer backpedal_dev tests benchmarks scripts
	.venv/bin/python -m mypy analyzer
	.venv/bin/lint-imports

bench:
	.venv/bin/python benchmarks/bench_pipeline.py
