# OpenIMI: `make run` starts the demo, `make test` runs the tests. CI calls these same targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
LANGUAGES := bg cs da de el es et fi fr ga hr hu is it lt lv mt nb nl pl pt ro sk sl sv

.PHONY: run test test-postgres install lint messages bench check-deploy clean

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==26.3"
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/static/openimi/openimi.css: node_modules/.installed $(wildcard frontend/*)
	npm run --silent build

# Catalogues are compiled with Babel (a dependency already), so no system gettext is needed.
locale/.compiled: $(VENV)/.installed $(wildcard locale/*/LC_MESSAGES/django.po)
	$(BIN)/pybabel -q compile -d locale -D django
	touch $@

install: $(VENV)/.installed build/static/openimi/openimi.css locale/.compiled

run: install
	./bin/ensure-apertium || true
	./bin/ensure-clamav || true
	./bin/demo

test: install
	./bin/ensure-chromium
	./bin/ensure-apertium
	./bin/ensure-clamav
	$(BIN)/pytest -n 2 --dist loadfile -m "not serial"
	$(BIN)/pytest -m serial

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check openimi bench conftest.py
	$(BIN)/mypy openimi
	$(BIN)/bandit -q -r openimi -x "*/tests/*" --severity-level high

messages: install
	$(BIN)/python manage.py makemessages $(foreach l,$(LANGUAGES),-l $(l)) --no-obsolete --no-location \
	  --ignore ".venv/*" --ignore "node_modules/*" --ignore "build/*" --ignore "var/*" --ignore "*/tests/*" \
	  --ignore conftest.py --ignore "bench/*"
	$(BIN)/python bin/check-catalogues

bench: install
	$(BIN)/python bench/demo_data.py
	$(BIN)/python bench/directory_api.py
	$(BIN)/python bench/translation.py

check-deploy: install
	OPENIMI_ENV=production SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9') \
	  ALLOWED_HOSTS=openimi.example DATABASE_URL=sqlite:///:memory: \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules build var/static
