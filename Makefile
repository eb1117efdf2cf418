# Koncierge: `make demo` and `make test` set everything up on a fresh machine.
# `make help` lists every target.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEBIAN_PACKAGES := graphviz neovim shellcheck

.DEFAULT_GOAL := help
.PHONY: help setup system-packages demo test test-python test-extension extension lint bench mutation docs diagrams golden clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

setup: $(INSTALLED) ## Create the virtual environment and install Koncierge with its test tools

system-packages: ## Install the Debian packages the tests and the demo use (graphviz, neovim, shellcheck)
	@missing=""; for package in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

demo: setup system-packages ## Check, build and draw the To Do example; check and build Online Boutique and Sock Shop
	$(BIN)/koncierge check examples/todo/todo.kon
	$(BIN)/koncierge build examples/todo/todo.kon -o out
	$(BIN)/koncierge diagram examples/todo/todo.kon --view requirements -o out/todo/requirements.svg
	$(BIN)/koncierge diagram examples/todo/todo.kon --view architecture --env PROD -o out/todo/architecture.svg
	$(BIN)/koncierge diagram examples/todo/todo.kon --view kubernetes --env PROD -o out/todo/kubernetes.svg
	$(BIN)/koncierge check examples/online-boutique/online-boutique.kon examples/sock-shop/sock-shop.kon
	$(BIN)/koncierge build examples/online-boutique/online-boutique.kon -o out
	$(BIN)/koncierge build examples/sock-shop/sock-shop.kon -o out
	@echo
	@echo "The To Do example's Kubernetes manifests (one file per environment) and diagrams are in out/todo/:"
	@ls -1 out/todo/
	@echo "Online Boutique's and Sock Shop's manifests are in out/online-boutique/ and out/sock-shop/."
	@if command -v npm >/dev/null; then \
	  $(MAKE) --no-print-directory extension && \
	  echo "The VS Code extension is vscode-extension/koncierge-0.1.0.vsix;" && \
	  echo "install it with: code --install-extension vscode-extension/koncierge-0.1.0.vsix"; \
	else echo "(npm is missing: the VS Code extension was not packaged)"; fi

extension: ## Package the VS Code extension (vscode-extension/koncierge-<version>.vsix)
	cd vscode-extension && npm ci --no-audit --no-fund --loglevel=error && npm run package

test: setup system-packages lint test-python test-extension ## Run every check and test (lint, Python, extension, editor end to end)

test-python: setup system-packages ## Run the Python tests (checker, compiler, language server, diagrams, Neovim)
	$(BIN)/python -m pytest -q

test-extension: setup system-packages ## The extension's unit and grammar tests, then end to end in a real VS Code (code-server)
	cd vscode-extension && npm ci --no-audit --no-fund --loglevel=error && npm run build && npm test && npm run e2e

lint: setup ## ruff, and mypy --strict on koncierge_lang and the language server
	$(BIN)/ruff check koncierge_lang server tests bench
	$(BIN)/mypy

bench: setup system-packages ## Print the benchmark figures (see docs/benchmarks.md)
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_diagram.py
	$(BIN)/python bench/bench_diagram_fit.py
	$(BIN)/python bench/lsp_latency.py
	$(BIN)/python bench/bench_incremental.py

mutation: setup system-packages ## Mutation testing of the compiler's manifests.py with mutmut (about 7 minutes; see bench/mutation.py)
	$(BIN)/pip install --quiet mutmut==3.8.1
	$(BIN)/python bench/mutation.py

docs: setup ## Regenerate docs/diagnostics from the catalogue
	$(BIN)/python -m koncierge_lang.diagnostics.docs docs/diagnostics

diagrams: setup system-packages ## Regenerate the README's diagrams of the To Do example (docs/images)
	$(BIN)/python -m koncierge_lang.diagrams.readme_images docs/images

golden: setup ## Regenerate the golden files (read the diff before committing)
	@# The update run fails for every file it rewrites (tests/conftest.py: assert_golden); the second run must pass.
	-KON_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests -k golden
	$(BIN)/python -m pytest -q tests -k golden

clean: ## Remove the virtual environment and generated output
	rm -rf $(VENV) out build dist *.egg-info
