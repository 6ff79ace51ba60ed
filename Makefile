.PHONY: test test-fast lint format generated-docs

test:
	pytest

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
