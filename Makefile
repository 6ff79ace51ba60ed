.PHONY: test test-fast test-postgresql lint format generated-docs

test:
	pytest

# The suite with the store on PostgreSQL: a throwaway cluster, an empty database per test
# (CI runs both passes).
test-postgresql:
	MEISHI_TEST_DATABASE=postgresql pytest

# Skips the OCR and kill -9 tests (CI runs them).
test-fast:
	pytest -m "not slow"

lint:
	ruff check src tests benchmarks docs
	ruff format --check src tests benchmarks docs
	mypy
	python docs/gen_cli_reference.py --check
	python docs/gen_drafts.py --check

format:
	ruff check --fix src tests benchmarks docs
	ruff format src tests benchmarks docs

generated-docs:
	python docs/gen_cli_reference.py
	python docs/gen_drafts.py
