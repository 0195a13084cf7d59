# OpenIMI: `make run` starts the demo, `make test` runs the tests. CI calls these same targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

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

install: $(VENV)/.installed build/static/openimi/openimi.css

run: install
	./bin/demo

test: install
	./bin/ensure-chromium
	$(BIN)/pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check openimi bench conftest.py

messages: install
	cd openimi && ../$(BIN)/django-admin makemessages --all --no-obsolete --ignore "*/tests/*" && ../$(BIN)/django-admin compilemessages

bench: install
	$(BIN)/python bench/demo_data.py
	$(BIN)/python bench/directory_api.py

check-deploy: install
	OPENIMI_ENV=production SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9') \
	  ALLOWED_HOSTS=openimi.example DATABASE_URL=sqlite:///:memory: \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules build var/static
