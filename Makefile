.PHONY: test lint format

test:
	pytest

lint:
	ruff check src tests
	ruff format --check src tests
	mypy

format:
	ruff check --fix src tests
	ruff format src tests
