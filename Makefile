# The project's commands. `make demo` and `make test` are the README's two set-up commands.
.PHONY: demo test lint compliance bench docs

demo:  ## run the loopback demo: a client and a server exchanging messages
	bash .ci/demo.sh

test:  ## run the whole test suite on every Python 3.9-3.13 found (installs what it needs)
	bash .ci/tests.sh

lint:  ## ruff and mypy --strict
	bash .ci/lint.sh

compliance:  ## Autobahn|Testsuite, both roles
	bash compliance/run.sh

bench:  ## benchmarks against upstream wsproto and websockets (not part of the test suite)
	python3 benchmarks/run.py

docs:  ## build the Sphinx site with warnings as errors
	bash docs/build.sh
