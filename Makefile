# Build, serve and test the Kubernetes Architecture Sandbox. `make help` lists the targets.
#
# Every target first runs scripts/tools.sh, which installs only the tools that are missing or at the
# wrong version (pins: trunk 0.21.14, wasm-bindgen-cli = Cargo.toml's pin, npm binaryen@123, Debian
# Chromium + ChromeDriver, brotli) and prints one line for each tool it installs.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# The test layers share one cargo target dir and one browser: run them one after another.
.NOTPARALLEL:
# A recipe that fails removes its target: dist/index.html is written by trunk before the kubectl
# module is built, and must not count as an up-to-date site when that second step fails.
.DELETE_ON_ERROR:

# Tools installed by cargo and npm are found even if the caller's PATH lacks them; npm's wasm-opt
# comes first so that an old system wasm-opt (Debian's binaryen) is never picked by trunk.
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

ENSURE := scripts/tools.sh ensure
# `crates` and `std-crates` fetch what trunk's offline cargo builds need (scripts/tools.sh says why).
WEB_TOOLS := wasm-target crates trunk wasm-bindgen wasm-opt
# What the release build (make dist, size, test-e2e) needs on top of WEB_TOOLS.
RELEASE_TOOLS := $(WEB_TOOLS) rust-src std-crates
DIST := $(CURDIR)/dist
export CHROMEDRIVER ?= /usr/bin/chromedriver
export CHROME ?= /usr/bin/chromium

# Relative asset URLs (also set in Trunk.toml): dist/ can be hosted under any sub-path.
# The release wasm is built for size (measured with `make size`: 954 -> 884 KB gzip). std is compiled
# with the crate (build-std) using its optimize_for_size algorithms, and a panic traps at once
# (panic=immediate-abort, 34 KB of the 70) instead of formatting a message. The page stops either way;
# what is lost is the message Yew's panic hook would log to the console. index.html puts up a banner
# on the trap, and the learner's saved session replays the same crash in `make serve`, whose build
# logs the message. These options are unstable: RUSTC_BOOTSTRAP=1 allows them on the machine's rustc
# (1.95) for this build only; make serve and the native and in-browser tests use the plain toolchain,
# and the end-to-end tests test this build. build-std needs the toolchain's rust-src component.
RELEASE_ENV := RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
	CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort --cfg split_kubectl"
TRUNK_RELEASE := env $(RELEASE_ENV) trunk build --release --public-url ./
# What the release site is built from: dist/ is rebuilt only when one of these is newer than it
# (a release build re-runs wasm-bindgen and wasm-opt even when cargo has nothing to do: ~1.5 min).
DIST_INPUTS := $(shell find src static -type f 2>/dev/null) index.html Trunk.toml Cargo.toml $(wildcard Cargo.lock) \
	scripts/tools.sh scripts/kubectl-module.sh scripts/csp.py Makefile
DIST_STAMP := dist/index.html

.PHONY: help serve dist size test test-lint test-native test-lessons test-clients test-web test-e2e test-size test-fresh tools clean bench bench-web \
	bench-frames fuzz explain-docs

help:
	@echo "make serve   serve the app on http://127.0.0.1:8080 with live reload (SERVE_PORT=N for another port)"
	@echo "make test    run every check: lint, native, lessons, in-browser (wasm-bindgen-test), end to end (WebDriver),"
	@echo "             download size, and make serve + make dist from a fresh clone with an empty cargo registry"
	@echo "make dist    build the release site into dist/ (relative URLs, wasm-opt -Oz)"
	@echo "make size    print the bytes (raw, gzip, brotli) of the wasm and JS a first visit downloads"
	@echo "make tools   install whatever pinned tool is missing (every target does this itself)"
	@echo "make fuzz    coverage-guided fuzzing with cargo-fuzz (nightly), FUZZ_SECONDS per target"
	@echo "make explain-docs  regenerate kubectl explain's documentation (static/explain/) from PyPI's kubernetes-validate"
	@echo "make clean   remove dist/ and target/"

tools:
	@$(ENSURE) $(RELEASE_TOOLS) chromium brotli

# The dev build goes to target/trunk-serve, so it never replaces the release build in dist/.
# Trunk watches only the sources (Trunk.toml [watch] says why), all of which a fresh clone has.
SERVE_PORT ?= 8080
serve:
	@$(ENSURE) $(WEB_TOOLS)
	trunk serve --dist target/trunk-serve --port $(SERVE_PORT)

dist:
	@$(ENSURE) $(RELEASE_TOOLS)
	@$(MAKE) --no-print-directory $(DIST_STAMP)

# kubectl is a second wasm module, fetched on the first kubectl command (--cfg split_kubectl above;
# src/ui/bridge/kubectl.rs says why). The Content-Security-Policy is written last, from the hashes of
# the built page's inline scripts (scripts/csp.py).
$(DIST_STAMP): $(DIST_INPUTS)
	@$(TRUNK_RELEASE) || { echo "FAILED: release build (make dist)"; exit 1; }
	@env $(RELEASE_ENV) scripts/kubectl-module.sh $(DIST) || { echo "FAILED: release build of the kubectl module (make dist)"; exit 1; }
	@scripts/csp.py $(DIST)
	@touch $@

# Quiet build, so that the size is the one line printed; the build log is shown only if it fails.
size:
	@$(ENSURE) $(RELEASE_TOOLS) brotli
	@mkdir -p target
	@$(MAKE) --no-print-directory -s $(DIST_STAMP) >target/dist.log 2>&1 || { cat target/dist.log; exit 1; }
	@scripts/size.sh dist

# The layers' output is also kept in target/test.log, from which the closing tally is summed.
test:
	@mkdir -p target
	@$(MAKE) --no-print-directory test-lint test-native test-lessons test-clients test-web test-e2e test-size test-fresh 2>&1 | tee target/test.log
	@scripts/test-summary.sh target/test.log

# The checks a Rust codebase keeps: rustfmt (rustfmt.toml) and clippy with warnings as errors, for the
# native targets and for the wasm32 build the browser runs (the native-only tests do not build there).
test-lint:
	@$(ENSURE) wasm-target
	@echo "== lint (cargo fmt --check, cargo clippy -D warnings, native and wasm32)"
	@cargo fmt --check || { echo "FAILED: lint: cargo fmt --check (run cargo fmt)"; exit 1; }
	@cargo clippy --quiet --all-targets -- -D warnings || { echo "FAILED: lint: cargo clippy (native)"; exit 1; }
	@cargo clippy --quiet --target wasm32-unknown-unknown --lib --bins --test web --test web_bench -- -D warnings \
		|| { echo "FAILED: lint: cargo clippy (wasm32)"; exit 1; }

# Real clients through `sandbox serve`: the official Python client, from PyPI into a project-local
# virtualenv (kubectl 1.33 is driven by tests/serve.rs in test-native).
PYCLIENT := .tools/pyclient
test-clients:
	@echo "== real clients (the Python kubernetes client through sandbox serve)"
	@test -x $(PYCLIENT)/bin/python || python3 -m venv $(PYCLIENT)
	@$(PYCLIENT)/bin/python -c 'import kubernetes' 2>/dev/null || $(PYCLIENT)/bin/pip install --quiet kubernetes==37.0.2 \
		|| { echo "FAILED: clients: pip install kubernetes"; exit 1; }
	@SANDBOX_PYTHON=$(abspath $(PYCLIENT))/bin/python cargo test --quiet --test serve the_python_client -- --nocapture \
		|| { echo "FAILED: clients: the Python client through sandbox serve"; exit 1; }

# kubectl explain's documentation (static/explain/, not part of `make test`: the committed file is what
# the tests read): the Kubernetes 1.33 OpenAPI descriptions from PyPI's kubernetes-validate, in a
# project-local virtualenv like test-clients'; scripts/explain-docs.py says what it keeps.
EXPLAIN_DOCS_ENV := .tools/explain-docs
explain-docs:
	@test -x $(EXPLAIN_DOCS_ENV)/bin/python || python3 -m venv $(EXPLAIN_DOCS_ENV)
	@$(EXPLAIN_DOCS_ENV)/bin/python -c 'import kubernetes_validate' 2>/dev/null \
		|| $(EXPLAIN_DOCS_ENV)/bin/pip install --quiet kubernetes-validate==1.37.0 \
		|| { echo "FAILED: explain-docs: pip install kubernetes-validate"; exit 1; }
	@$(EXPLAIN_DOCS_ENV)/bin/python scripts/explain-docs.py \
		"$$($(EXPLAIN_DOCS_ENV)/bin/python -c 'import kubernetes_validate, pathlib; print(pathlib.Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema/v1.33.0-local/_definitions.json")')" \
		static/explain/descriptions-v1.33.txt
	@echo "explain-docs: static/explain/descriptions-v1.33.txt, $$(wc -c <static/explain/descriptions-v1.33.txt) B, $$(gzip -9c static/explain/descriptions-v1.33.txt | wc -c) B gzip"

# Everything cargo test finds natively; e2e.rs prints that it is skipped, web.rs is wasm32-only.
test-native:
	@echo "== native tests (cargo test)"
	@env -u E2E_DIST cargo test --no-fail-fast || { echo "FAILED: native tests"; exit 1; }

# The course in static/lessons: each lesson in a fresh world, every step's checks failing before its
# solution and passing after (tests/lessons.rs runs the same in test-native; this prints the tally line).
test-lessons:
	@echo "== lessons (sandbox lessons --check)"
	@cargo run --quiet --bin sandbox -- lessons --check || { echo "FAILED: lessons: sandbox lessons --check"; exit 1; }

# wasm-bindgen-test-runner starts chromedriver (CHROMEDRIVER) with the flags in webdriver.json.
# No debuginfo: the browser cannot use it, and it makes the test wasm 8x larger (170 MB) and the
# runner's wasm-bindgen pass 4x slower.
test-web:
	@$(ENSURE) wasm-target wasm-bindgen chromium
	@echo "== in-browser tests (wasm-bindgen-test in headless Chromium)"
	@CARGO_PROFILE_TEST_DEBUG=false CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
		WASM_BINDGEN_TEST_TIMEOUT=120 cargo test --target wasm32-unknown-unknown --test web \
		|| { echo "FAILED: in-browser tests"; exit 1; }

test-e2e: dist
	@$(ENSURE) chromium
	@echo "== end-to-end tests (dist/ in headless Chromium over WebDriver)"
	@E2E_DIST=$(DIST) cargo test --test e2e -- --nocapture || { echo "FAILED: end-to-end tests"; exit 1; }

# The first visit's download (wasm + JS, gzip) must not grow unnoticed. The goal (issue 2) is 700 KiB
# (716,800 B); the ceiling is where the release build is now plus about 2%, and comes down as it shrinks.
# A change that needs more raises it on purpose, with the `make size` line in its commit message.
SIZE_CEILING := 995000
test-size: dist
	@$(ENSURE) brotli
	@echo "== download size (make size, ceiling $(SIZE_CEILING) B gzip)"
	@scripts/size.sh dist --ceiling $(SIZE_CEILING)

# Setup as a fresh machine sees it: `make serve` and `make dist` from a fresh clone of HEAD with an empty
# cargo registry (scripts/fresh-clone.sh), so a download or install step that only this machine's warm
# registry made unnecessary fails here instead of on a learner's machine.
test-fresh:
	@$(ENSURE) $(RELEASE_TOOLS)
	@echo "== fresh clone (make serve and make dist with an empty cargo registry)"
	@scripts/fresh-clone.sh

# Coverage-guided fuzzing (cargo-fuzz, libFuzzer, nightly; not part of `make test`): the apply path,
# kubectl's command line and the runner's scripts, FUZZ_SECONDS (600) each; scripts/fuzz.sh says more.
fuzz:
	@$(ENSURE) cargo-fuzz
	@scripts/fuzz.sh

# The whole-path benchmark in headless Chromium (a benchmark, not part of `make test`):
# make bench-web BENCH_NODES=20 BENCH_PODS=300 prints the same `bench:` line as `sandbox bench`.
bench-web:
	@$(ENSURE) wasm-target wasm-bindgen chromium
	@BENCH_NODES=$(or $(BENCH_NODES),20) BENCH_PODS=$(or $(BENCH_PODS),300) \
		CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_TIMEOUT=600 \
		cargo test --release --target wasm32-unknown-unknown --test web_bench -- --nocapture

# Frame times of the release site in headless Chromium (a benchmark, not part of `make test`): N nodes
# and M pods built through the UI, requestAnimationFrame intervals while hundreds of messages are in
# flight, and the first render. Knobs: BENCH_NODES (20), BENCH_PODS (300), BENCH_LEAD_SPEED (5) until
# BENCH_IN_FLIGHT (500) messages are drawn, then BENCH_SPEED (0.25) for BENCH_SECONDS (5) of recorded
# frames; BENCH_PROFILE=file.cpuprofile saves a CPU profile, BENCH_TRACE=1 sums the trace by event.
bench-frames: dist
	@$(ENSURE) chromium
	@BENCH_DIST=$(DIST) cargo test --test frame_bench -- --nocapture --test-threads=1

# Benchmarks print numbers and never fail on a time: the store and apiserver micro-benchmarks
# (src/bin/store_bench.rs), then the whole path (sandbox bench) at growing sizes, each capped at 5 minutes.
BENCH_BIN = $${CARGO_TARGET_DIR:-target}/bench-native
bench:
	@cargo build --profile bench-native --bin sandbox --bin store_bench
	@$(BENCH_BIN)/store_bench
	@for size in "10 300" "100 3000" "500 15000"; do \
		set -- $$size; \
		timeout 300 $(BENCH_BIN)/sandbox bench --nodes $$1 --pods $$2 || echo "bench: $$1 nodes, $$2 pods: not done within 5 minutes"; \
	done

clean:
	rm -rf dist target
