# One entry point for people and CI. Every target sets up .venv first (pinned requirements).
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STACK ?= dev

.PHONY: setup plan preview test test-unit validate reference hooks bench test-integration

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

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

test: setup
	$(PY) -m pytest

# Run `python -m tenancy validate` (and the generated-docs checks) on every `git commit`.
hooks: setup
	$(VENV)/bin/pre-commit install

# The fast loop: everything but the integration suite (no servers started).
test-unit: setup
	$(PY) -m pytest -m "not integration"

# Only the integration suite (tests/integration): OpenBao, moto, upstream schemas, GitHub payloads.
test-integration: setup
	$(PY) -m pytest -m integration

# Scale benchmark (docs/scale.md): 10, 100 and 1,000 synthetic tenants, program against the SDK floor.
# Several minutes; results in bench-results.json.
bench: setup
	$(PY) -m bench
