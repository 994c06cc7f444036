# The two commands of the quick start are `make run` and `make test`; the rest are helpers.
PORT ?= 8000
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV_PY := .venv/bin/python

# Test-only secrets: tests never run with DEBUG, so settings demand real-looking values.
REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV := REDIS_URL=$(REDIS_URL) SECRET_KEY=test-secret-key-not-for-production-0123456789abcdef \
	ISMS_MASTER_KEY=dGVzdC1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmchISE= \
	ISMS_HTTPS=0 DEBUG=0

.PHONY: run test lint fmt typecheck assets bench messages clean sbom

run: .venv/.synced assets ## Run the portal with embedded PostgreSQL, Celery and a demo tenant
	DEBUG=1 ISMS_HTTPS=0 ISMS_PUBLIC_PORT=$(PORT) $(VENV_PY) manage.py rundev --port $(PORT)

test: .venv/.synced assets ## Run the whole test suite (quality gates included)
	$(TEST_ENV) $(VENV_PY) -m pytest $(PYTEST_ARGS)

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

assets: static/vendor/htmx/htmx.min.js

static/vendor/htmx/htmx.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && npm run --silent vendor; \
	else \
		echo "npm not found: skipping htmx (pages work without it; tests need it)"; \
	fi

lint: .venv/.synced
	$(VENV_PY) -m ruff check .
	$(VENV_PY) -m ruff format --check .
	.venv/bin/lint-imports --no-cache

fmt: .venv/.synced
	$(VENV_PY) -m ruff check --fix .
	$(VENV_PY) -m ruff format .

typecheck: .venv/.synced
	$(VENV_PY) -m mypy .

bench: .venv/.synced ## Run the benchmarks in bench/ (figures in bench/README.md)
	$(TEST_ENV) $(VENV_PY) bench/tenant_provisioning.py
	$(TEST_ENV) $(VENV_PY) bench/permission_list.py
	$(TEST_ENV) $(VENV_PY) bench/risk_list.py
	$(TEST_ENV) $(VENV_PY) bench/backup.py
	$(TEST_ENV) $(VENV_PY) bench/incidents.py

# Software bill of materials of the portal (runtime dependencies, exactly as pinned in uv.lock), CycloneDX 1.6 JSON.
SBOM ?= sbom.cdx.json
sbom: .venv/.synced ## Write the CycloneDX SBOM (sbom.cdx.json) from uv.lock
	$(UV) export --frozen --no-dev --no-emit-project --format requirements.txt \
		| $(VENV_PY) -m cyclonedx_py requirements --pyproject pyproject.toml --mc-type application \
			--sv 1.6 --of JSON --output-reproducible --validate -o $(SBOM) -

clean:
	rm -rf .venv .tools node_modules static/vendor

messages: .venv/.synced ## Update and compile the Swedish translation (needs gettext)
	DEBUG=1 $(VENV_PY) manage.py makemessages -l sv --no-wrap --no-location -i ".venv/*" -i "node_modules/*" -i "tests/*" -i ".data/*" -i "bench/*"
	DEBUG=1 $(VENV_PY) manage.py compilemessages -l sv -i .venv -i node_modules
