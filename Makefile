# The project's commands. `make demo` and `make test` are the README's two set-up commands.
.PHONY: demo test dist lint compliance compat bench bench-quick docs deflate interop fuzz coverage

demo:  ## run the loopback demo: a client and a server exchanging messages
	bash .ci/demo.sh

test:  ## run the whole test suite on every Python 3.9-3.13 found (installs what it needs)
	bash .ci/tests.sh

dist:  ## sdists and wheels of all three distributions into dist/, checked and installed (see RELEASING.md)
	bash .ci/dist.sh

lint:  ## ruff and mypy --strict
	bash .ci/lint.sh

compliance:  ## Autobahn|Testsuite, all cases, both roles in parallel (~18 min)
	bash compliance/ci.sh

compat:  ## five consumers' own test suites on upstream wsproto 1.3.2 and on this project (~4 min)
	python3 compat/run.py

bench:  ## benchmarks against upstream wsproto and websockets (not part of the test suite)
	python3 benchmarks/run.py

bench-quick:  ## a short benchmark run (about 2 minutes)
	python3 benchmarks/run.py --quick

deflate:  ## the deflate plugin's checks (ruff, mypy --strict, tests with both zlib backends)
	bash wsproto_deflate/ci.sh

interop:  ## interop tests against websockets, Node ws and headless Chromium
	bash .ci/install-peers.sh && WSPROTO_TEST_PYTHONS=3.11 bash .ci/tests.sh -m interop

fuzz:  ## each atheris fuzz target for 60 s
	python3 fuzz/run.py --seconds 60

coverage:  ## the branch-coverage gate (after make test)
	bash tests/robustness/coverage.sh .venv-test/py3.11/bin/python

docs:  ## build the Sphinx site with warnings as errors
	bash docs/build.sh
