# The README's commands. Everything installs into .venv from this repository's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := .demo
TH := $(BIN)/trailhound --data-dir $(DEMO_DIR)/store

.PHONY: demo test install install-test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

demo: install
	rm -rf $(DEMO_DIR)
	$(BIN)/trailhound demo-data $(DEMO_DIR)/logs --events 20000 --seed 7 --tor-list $(DEMO_DIR)/tor-exits.txt
	$(TH) intel update --tor $(DEMO_DIR)/tor-exits.txt
	$(TH) ingest $(DEMO_DIR)/logs
	$(TH) stats
	$(TH) query 'dataset = cloudtrail | comp count() as events by eventCategory | sort events desc'
	$(TH) query 'dataset = cloudtrail | filter eventName in ("StopLogging", "DeleteTrail", "CreateAccessKey", "CreateLoginProfile") | fields eventTime, eventName, actor, sourceIPAddress, requestParameters.userName | sort eventTime'
	$(TH) query 'dataset = cloudtrail | filter src_is_tor = true | comp count() as calls by sourceIPAddress, src_country, src_as_org, eventName | sort calls desc'
	$(TH) query 'dataset = alerts | filter severity in ("critical", "high") | comp count() as alerts, sum(count) as events by severity, title | sort severity, alerts desc'
	$(TH) rules coverage
	$(TH) ledger --public-keys $(DEMO_DIR)/logs/cloudtrail-public-keys.txt || true
	@echo
	@echo "The demo store is $(DEMO_DIR)/store; point plain trailhound commands at it with:"
	@echo "  export TRAILHOUND_DATA_DIR=$$(cd $(DEMO_DIR)/store && pwd)"
	@echo
	@echo "Try your own:"
	@echo "  $(TH) query 'dataset = cloudtrail | filter errorCode = \"VpceAccessDenied\" | comp count() by vpcEndpointId, userIdentity.accountId'"
	@echo "  $(TH) alerts list --severity high"
	@echo "  $(TH) incidents show <id>; $(TH) incidents graph <id> --format graphml"
	@echo "  $(TH) sql 'SELECT actor, count(*) AS calls FROM cloudtrail GROUP BY ALL ORDER BY calls DESC LIMIT 10'"
	@echo
	@echo "The incidents, highest score first:"
	$(TH) incidents list --by-score --limit 10

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-test
	$(BIN)/mypy --strict src

unit: install-test
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test: lint typecheck unit

bench: install
	$(BIN)/python bench/ingest.py --events 1000000

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
