# Two commands on a fresh machine (see README):
#   make demo   set up, then run the synthetic demo case
#   make test   set up, then run the whole test suite and the trace check on its results
# and, on a clean tree, the release (CI runs it after `make test`; it runs everything again, for real):
#   make release   trace check, test suite, every validation protocol, SOUP → evidence bundle
.PHONY: setup demo test lint release

RESULTS ?= .bp2-results/results.json
DEMO_OUT ?= demo-out
RELEASE_VERSION ?= $(shell .venv/bin/bp2 version 2>/dev/null)
RELEASE_OUT ?= out/release-$(RELEASE_VERSION)

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

# The release's steps log to the bundle; the suite's closing line and the decision are shown here,
# then the sealed bundle is checked from disk (integrity; approval needs the signers' signatures).
release: lint
	.venv/bin/bp2 release $(RELEASE_VERSION) --outdir $(RELEASE_OUT) \
	    $(if $(PREVIOUS),--previous $(PREVIOUS)); rc=$$?; \
	  tail -n 3 $(RELEASE_OUT)/logs/tests.log 2>/dev/null; \
	  if [ $$rc -eq 0 ]; then .venv/bin/bp2 evidence verify $(RELEASE_OUT) --integrity-only \
	    || rc=$$?; fi; \
	  exit $$rc
