# hosting.whm developer and CI entry points. `make help` lists them.
# Every target that needs tools depends on `venv` (cheap when .venv is up to date).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
# tools from the venv first; pytest-ansible and ansible-test find the rest through PATH
export PATH := $(BIN):$(PATH)
export ANSIBLE_FORCE_COLOR := 0

# pytest workers (the CI machine has 2 cores)
JOBS ?= 2
# Python directories ruff checks (only those that exist)
PY_DIRS := $(wildcard plugins tests emulator ci bench)
# ansible-test sanity runs on the venv's Python version
PY_VERSION = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# tree holding ansible_collections/hosting/whm -> this checkout, for ansible-lint
LINT_COLLECTIONS := $(CURDIR)/.ansible/lint-collections

.PHONY: help venv lint unit emulator-test integration sanity ansible-lint test demo clean

help:
	@echo "make venv           create/refresh $(VENV) (FORCE=1 rebuilds)"
	@echo "make lint           ruff check + ruff format --check, antsibull-changelog lint"
	@echo "make unit           pytest tests/unit (pytest-ansible)"
	@echo "make emulator-test  pytest emulator/tests"
	@echo "make integration    ansible-playbook runs of tests/integration/targets against emulators"
	@echo "make sanity         ansible-test sanity on a copy of the collection"
	@echo "make ansible-lint   ansible-lint, production profile, offline"
	@echo "make test           all of the above, fast checks first"
	@echo "make demo           the end-to-end demo (playbooks/demo/run.sh)"
	@echo "make clean          remove generated files (keeps $(VENV); add VENV_CLEAN=1 to drop it)"

venv:
	@VENV=$(VENV) ci/bootstrap-venv.sh

lint: venv
	ruff check $(PY_DIRS)
	ruff format --check $(PY_DIRS)
	antsibull-changelog lint

unit: venv
	ci/pytest-layer.sh unit tests/unit -n $(JOBS)

emulator-test: venv
	ci/pytest-layer.sh emulator-test emulator/tests -p no:pytest-ansible -n $(JOBS)

integration: venv
	ci/pytest-layer.sh integration tests/integration -p no:pytest-ansible -n $(JOBS)

sanity: venv
	ci/ansible-test.sh sanity --python $(PY_VERSION)

ansible-lint: venv
	mkdir -p $(LINT_COLLECTIONS)/ansible_collections/hosting
	ln -sfn $(CURDIR) $(LINT_COLLECTIONS)/ansible_collections/hosting/whm
	ANSIBLE_COLLECTIONS_PATH=$(LINT_COLLECTIONS) ansible-lint

# cheapest and most likely to fail first; the slow sanity run last
test: venv
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory emulator-test
	$(MAKE) --no-print-directory ansible-lint
	$(MAKE) --no-print-directory integration
	$(MAKE) --no-print-directory sanity

demo: venv
	@if [ -f playbooks/demo/run.sh ]; then \
		bash playbooks/demo/run.sh; \
	else \
		echo "demo: playbooks/demo/run.sh does not exist yet"; exit 1; \
	fi

clean:
	rm -rf collections .ansible tests/output .pytest_cache .ruff_cache build tests/integration/inventory
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -f hosting-whm-*.tar.gz
	@if [ "$${VENV_CLEAN:-0}" = 1 ]; then echo "rm -rf $(VENV)"; rm -rf $(VENV); fi
