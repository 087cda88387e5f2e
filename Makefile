# The two commands of the README:
#   make up    — install everything and start Sluice on embedded defaults
#   make test  — run the whole test suite (lint, Python tests, frontend tests)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install up test lint frontend

$(STAMP): pyproject.toml
	@echo "==> creating virtual environment and installing Python packages"
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) frontend

frontend:
	@if [ -f frontend/package.json ]; then \
	  echo "==> building the frontend"; \
	  cd frontend && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) && npm run build; \
	fi

up: install
	$(BIN)/sluice up

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install
	./scripts/ensure-services.sh
	$(MAKE) lint
	$(BIN)/python -m pytest
	@if [ -f frontend/package.json ]; then cd frontend && npm test; fi
