# Two commands on a fresh Debian/Ubuntu machine: `make demo` and `make test`.
# Each installs whatever is missing (apt packages, the .venv) before it runs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := tesseract-ocr tesseract-ocr-hin tesseract-ocr-eng tesseract-ocr-osd \
	tesseract-ocr-script-deva poppler-utils ghostscript fonts-noto-core qpdf unpaper \
	chromium redis-server postgresql postgresql-contrib
DEMO_HOME := build/demo-data
DEMO_SCANS := build/demo-scans

.PHONY: demo test deps apt venv lint bench clean catalogs catalogs-update

deps: apt venv

apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

demo: deps
	rm -rf $(DEMO_HOME) $(DEMO_SCANS)
	$(PY) -m scanpipe.samples $(DEMO_SCANS)
	SCANPIPE_HOME=$(DEMO_HOME) $(VENV)/bin/scanpipe doctor
	SCANPIPE_HOME=$(DEMO_HOME) $(VENV)/bin/scanpipe convert $(DEMO_SCANS)/letter-0001.pdf $(DEMO_SCANS)/file-0002 $(DEMO_SCANS)/scan-0003.jpg
	SCANPIPE_HOME=$(DEMO_HOME) $(VENV)/bin/scanpipe list
	@echo; echo "Search: कलेक्टर"
	SCANPIPE_HOME=$(DEMO_HOME) $(VENV)/bin/scanpipe search कलेक्टर

# The whole suite: the import contracts first (.importlinter, docs/architecture.md), then
# Redis and PostgreSQL are started (.ci/services.sh), and with SCANPIPE_REQUIRE_SERVERS=1 a
# test that cannot reach them fails instead of skipping.
test: deps catalogs
	$(VENV)/bin/lint-imports
	. .ci/services.sh && SCANPIPE_REQUIRE_SERVERS=1 $(PY) -m pytest -q

lint: venv
	$(VENV)/bin/ruff check scanpipe tests bench
	$(VENV)/bin/ruff format --check scanpipe tests bench
	$(VENV)/bin/lint-imports

# The web's gettext catalogs: messages.pot from web/i18n.py, merged into each messages.po
# (translators edit those with Poedit or Weblate), compiled to .mo; fails on a gap.
catalogs: venv
	$(PY) -c 'import sys; from scanpipe.web.catalog import main; sys.exit(main(["--check"]))'

catalogs-update: venv
	$(PY) -c 'import sys; from scanpipe.web.catalog import main; sys.exit(main(["--update"]))'

bench: deps
	$(PY) bench/accuracy.py ../shared/corpus/synthetic-dev
	$(PY) bench/throughput.py ../shared/corpus/synthetic-dev

clean:
	rm -rf build $(VENV)
