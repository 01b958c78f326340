# Two commands on a fresh machine (see README):
#   make demo   set up, then run the synthetic demo case
#   make test   set up, then run the whole test suite and the trace check on its results
.PHONY: setup demo test lint

RESULTS ?= .bp2-results/results.json
DEMO_OUT ?= demo-out

setup:
	bash scripts/setup.sh

demo: setup
	.venv/bin/bp2 demo --outdir $(DEMO_OUT) --threads 2 --resume $(DEMO_ARGS)

lint: setup
	.venv/bin/ruff check src tests benchmarks verification
	.venv/bin/mypy

test: lint
	.venv/bin/pytest --bp2-results $(RESULTS)
	.venv/bin/bp2 trace check --results $(RESULTS)
