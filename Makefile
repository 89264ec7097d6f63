# Hackney resident portal. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The demo runs on its defaults: no database, cache or broker URLs (see README).
DEMO_ENV := env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL DJANGO_DEBUG=true
# The test suite runs on the real services; override any of these from the environment.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hackney_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
TEST_BROKER_URL ?= redis://127.0.0.1:6379/2
TEST_ENV := env DJANGO_DEBUG=true DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL)
PYTEST_ARGS ?=
# `make security`: bandit on the code that ships or runs against real data (settings and
# skipped checks: [tool.bandit] in pyproject.toml), pip-audit on every package installed in .venv.
BANDIT_TARGETS := manage.py hackney_portal accounts notifications records parking balances casework personal_data insights bench
# A known vulnerability always fails. Advisories that cannot be read (no network, or a proxy that
# serves packages but not PyPI's per-release JSON) fail only with PIP_AUDIT_STRICT=true: set it
# wherever pypi.org's JSON API answers (docs/security.md).
PIP_AUDIT_STRICT ?= false
# Advisories accepted, each with its reason in docs/security.md (none today).
PIP_AUDIT_IGNORE :=

.PHONY: help install assets migrate demo run test lint security format check-migrations pytest pytest-embedded messages bench bench-sync bench-readers bench-conversions bench-decisions bench-web bench-search bench-insights totp worker beat serve clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed ## Install Python and npm packages (once; again when the lock files change)

static/build/css/portal.css: node_modules/.installed static/src/*.scss static/src/js/*.js static/build-assets.sh static/strip-remote-imports.cjs
	sh static/build-assets.sh

assets: static/build/css/portal.css ## Build CSS, fonts and images into static/build

migrate: $(VENV)/.installed ## Apply database migrations (demo database unless DATABASE_URL is set)
	@# Without DATABASE_URL this is the demo's database, on the demo's defaults (DEBUG on);
	@# with it, the environment's own settings, as production sets them.
	$(if $(DATABASE_URL),,$(DEMO_ENV)) $(PY) manage.py migrate --no-input

demo: install assets ## Set up the demo database and its sign-ins
	$(DEMO_ENV) $(PY) manage.py migrate --no-input -v 0
	$(DEMO_ENV) $(PY) manage.py demo_records
	$(DEMO_ENV) $(PY) manage.py demo_users --quiet
	$(DEMO_ENV) $(PY) manage.py demo_balances
	$(DEMO_ENV) $(PY) manage.py demo_review_queue
	$(DEMO_ENV) $(PY) manage.py demo_permits
	$(DEMO_ENV) $(PY) manage.py demo_scenarios
	@# The sign-ins last, where a newcomer looks for them.
	@$(DEMO_ENV) LOG_LEVEL=WARNING $(PY) manage.py demo_users

run: demo ## Set up everything and serve the demo portal on http://127.0.0.1:8000
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

totp: ## Print a demo staff user's current authenticator code: make totp EMAIL=parking.officer@example.com
	@$(DEMO_ENV) LOG_LEVEL=WARNING $(PY) manage.py totp_code "$(EMAIL)"

test: install assets lint security check-migrations pytest pytest-embedded ## Lint, the security checks, then the whole test suite on PostgreSQL/Redis, then the demo smoke set

lint: $(VENV)/.installed ## ruff check, ruff format --check, and the architecture's import contracts (pyproject.toml)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

security: $(VENV)/.installed ## bandit on our code; pip-audit on every installed package against PyPI's advisories (PIP_AUDIT_STRICT=true: unreadable advisories fail too)
	$(VENV)/bin/bandit -c pyproject.toml --quiet -r $(BANDIT_TARGETS)
	@# pip-audit says "Found N known vulnerabilities" (always a failure), or "could not be
	@# audited" per package, or exits non-zero without a finding when the service is unreachable.
	@out=$$($(VENV)/bin/pip-audit --progress-spinner off $(addprefix --ignore-vuln ,$(PIP_AUDIT_IGNORE)) 2>&1); \
	status=$$?; echo "$$out"; \
	if grep -q '^Found [0-9]* known vulnerabilit' <<< "$$out"; then exit 1; fi; \
	if [ $$status -eq 0 ] && ! grep -q 'could not be audited' <<< "$$out"; then exit 0; fi; \
	echo "pip-audit: NOT AUDITED: PyPI's advisories could not be read (above)."; \
	if [ "$(PIP_AUDIT_STRICT)" = true ]; then exit 1; fi; \
	echo "pip-audit: not failing the run for that (PIP_AUDIT_STRICT=true would)."

format: $(VENV)/.installed ## Format the code with ruff
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

check-migrations: $(VENV)/.installed ## Fail if a model change has no migration
	$(DEMO_ENV) $(PY) manage.py makemigrations --check --dry-run

pytest: $(VENV)/.installed ## The pytest suite on PostgreSQL, Redis and a real Celery worker
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

pytest-embedded: $(VENV)/.installed ## The smoke set on the demo defaults (SQLite, eager tasks)
	$(DEMO_ENV) $(PY) -m pytest -m embedded -p no:cacheprovider $(PYTEST_ARGS)

# Every queue by default; production runs a pool per queue (docs/operations.md), e.g.
# make worker QUEUES=sync. Named after its queues, so pools on one machine differ.
QUEUES ?= sync,email,payments,default
comma := ,
worker: ## Production-like: run a Celery worker on QUEUES (default all: sync,email,payments,default; production environment: README, .env.example)
	$(PY) -m celery -A hackney_portal worker -Q $(QUEUES) -n $(subst $(comma),-,$(QUEUES))@%h --loglevel=INFO

beat: ## Production-like: run Celery beat, with schedules from the database (production environment)
	$(PY) -m celery -A hackney_portal beat --loglevel=INFO

serve: assets ## Production-like: collect static files and serve with gunicorn (production environment)
	$(PY) manage.py collectstatic --no-input -v 0
	@# No gunicorn access log: it writes the path and query string as requested (account numbers,
	@# search terms). The portal logs one line a request itself (docs/operations.md).
	$(PY) -m gunicorn hackney_portal.wsgi --bind 127.0.0.1:8000 --workers 3

messages: ## Recompile locale/ after editing the wording overrides (needs gettext's msgfmt)
	msgfmt --check-format -o locale/en_GB/LC_MESSAGES/django.mo locale/en_GB/LC_MESSAGES/django.po

bench: bench-sync bench-readers bench-conversions bench-decisions bench-web bench-search bench-insights ## Run every benchmark (results are written up in docs/performance.md; BENCH_ARGS=--smoke: each at a tiny size)

bench-sync: $(VENV)/.installed ## Benchmark a one-million-row records sync against a raw COPY
	$(PY) bench/sync_bench.py $(BENCH_ARGS)

bench-readers: $(VENV)/.installed ## Sync the demo borough with both readers: times, and the same records
	$(PY) bench/readers_bench.py $(BENCH_ARGS)

bench-conversions: $(VENV)/.installed ## Set-based reader: what writing a conversion as a CASE saves over a lookup table
	$(PY) bench/conversions_bench.py $(BENCH_ARGS)

bench-decisions: $(VENV)/.installed ## Decide 10,000 applicants from the demo borough: shares, wrong outcomes, time (smoke: BENCH_ARGS=--smoke)
	$(PY) bench/decisions_bench.py $(BENCH_ARGS)

bench-web: $(VENV)/.installed assets ## Balance pages under load: gunicorn, PostgreSQL, Redis, demo borough, wrk (needs apt-get install -y wrk; options: BENCH_WEB_ARGS='--duration 60 --residents 500')
	$(PY) bench/web_bench.py $(BENCH_ARGS) $(BENCH_WEB_ARGS)

bench-search: $(VENV)/.installed ## The contact centre's search on the demo borough at scale 1.0: 128 realistic queries, p50/p95/max by kind, fails when any kind's p95 >= 100 ms (options: BENCH_SEARCH_ARGS='--repeat 5')
	$(PY) bench/search_bench.py $(BENCH_ARGS) $(BENCH_SEARCH_ARGS)

bench-insights: $(VENV)/.installed ## The analysts' what-ifs: a tariff change over 50,000 live permits and a council tax discount change over the demo borough at scale 1.0, each through its page, median under 2 s or it fails (options: BENCH_INSIGHTS_ARGS='--repeat 9')
	$(PY) bench/insights_bench.py $(BENCH_ARGS) $(BENCH_INSIGHTS_ARGS)

clean: ## Remove the demo database and built assets (keeps installed packages)
	rm -rf var/demo.sqlite3* static/build var/staticfiles
