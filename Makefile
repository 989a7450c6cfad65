# The two set-up commands of the README:
#   make demo   install, then analyse the bundled sample clip into out/sample/
#   make test   install (with test tools), then lint and run the default test suite
# make test-slow runs the heavier end-to-end tests (CI runs both: .ci/run).
.PHONY: demo test test-slow lint bench
SAMPLE ?= sample_videos/backpedal_side_left.mp4
# lint-imports without its banner: one summary line when the contracts hold, its whole
# report (and a failing exit code) when one is broken.
LINT_IMPORTS = out=$$(.venv/bin/lint-imports --no-logo 2>&1) \
	&& echo "lint-imports: $$(printf '%s\n' "$$out" | tail -n 1)" \
	|| { printf '%s\n' "$$out"; exit 1; }

demo:
	bash scripts/install.sh
	.venv/bin/backpedal analyze $(SAMPLE) --out out/sample

test:
	bash scripts/install.sh --test
	.venv/bin/python -m ruff check analyzer backpedal_dev tests benchmarks scripts
	.venv/bin/python -m mypy analyzer
	@$(LINT_IMPORTS)
	.venv/bin/python -m pytest -q -m "not slow"

test-slow:
	bash scripts/install.sh --test
	.venv/bin/python -m pytest -q -m slow

lint:
	.venv/bin/python -m ruff check analyzer backpedal_dev tests benchmarks scripts
	.venv/bin/python -m mypy analyzer
	@$(LINT_IMPORTS)

bench:
	.venv/bin/python benchmarks/bench_pipeline.py
