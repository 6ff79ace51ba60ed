.PHONY: test test-fast lint format cli-reference

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

format:
	ruff check --fix src tests benchmarks docs
	ruff format src tests benchmarks docs

cli-reference:
	python docs/gen_cli_reference.py
