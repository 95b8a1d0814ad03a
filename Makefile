# One entry point for people and CI. Every target sets up .venv first, in two tiers:
# - `setup`: the runtime only (requirements.lock, hashes checked): enough for plan, validate, new,
#   shards, reference and bench, and all that deploys and previews install;
# - `setup-test`: adds the test toolchain (requirements-dev.lock) for test, hooks, test-integration.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
STACK ?= dev
# pip-tools generates the locks (`make lock`), from PyPI only, in a throwaway venv.
PIP_TOOLS ?= pip-tools==7.6.2
LOCK_VENV := .venv-lock

.PHONY: setup setup-test plan preview test test-unit validate reference hooks bench test-integration lock

$(VENV)/.installed: requirements.lock
	@echo "Setting up $(VENV) from requirements.lock (the program's runtime; a minute or two the first time)..."
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-dev.lock
	@echo "Adding the test toolchain from requirements-dev.lock to $(VENV) (a few minutes the first time)..."
	$(PIP) install --require-hashes -r requirements-dev.lock
	touch $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

# Offline: what `pulumi up` would register for $(STACK), from tenants/ and Pulumi.$(STACK).yaml.
plan: setup
	$(PY) -m tenancy plan --stack $(STACK)

# With the Pulumi CLI and credentials: the real preview.
preview: setup
	pulumi preview --stack $(STACK)

# Every tenant file against every stack, and the stacks together (cross-environment buckets, shards).
validate: setup
	$(PY) -m tenancy validate

reference: setup
	$(PY) -m tenancy reference

# Everything CI runs (.ci/run): unit, workflow and integration tests.
test: setup-test
	$(PY) -m pytest

# Run `python -m tenancy validate` (and the generated-docs checks) on every `git commit`.
hooks: setup-test
	$(VENV)/bin/pre-commit install

# The fast loop: everything but the integration suite (no servers started).
test-unit: setup-test
	$(PY) -m pytest -m "not integration"

# Only the integration suite (tests/integration): OpenBao, moto, upstream schemas, GitHub payloads.
test-integration: setup-test
	$(PY) -m pytest -m integration

# Scale benchmark (docs/scale.md): 10, 100, 500 and 1,000 synthetic tenants, the program as `pulumi up`
# runs it against a naive program and the SDK's floor, and the offline plan. About 12 minutes on 2 cores;
# results in bench-results.json; exits 5 when a target is missed.
bench: setup
	$(PY) -m bench

# Regenerate requirements.lock and requirements-dev.lock (every package pinned, with the hashes of
# all its files on PyPI) after changing requirements.txt or requirements-dev.txt. Needs PyPI; reads
# no local pip configuration, so the hashes are PyPI's own. The dev lock is constrained to the
# runtime lock: both tiers install the same version of every package they share.
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip --disable-pip-version-check --quiet install $(PIP_TOOLS)
	for tier in requirements requirements-dev; do \
		env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" \
		$(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
			--no-emit-index-url --index-url https://pypi.org/simple \
			--output-file $$tier.lock $$tier.txt || exit 1; \
	done
