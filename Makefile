# backingd: the two commands of the README (`make run`, `make test`) and a few helpers.
# Every target that builds first installs the Debian packages the project needs, if any is missing.

APT_PACKAGES := libmicrohttpd-dev libcurl4-openssl-dev libsodium-dev libdecaf-dev libsqlite3-dev pkg-config
SWIFT ?= swift
# The build configuration `bin-dir` answers for (release: what `make run` and `make release` build).
CONFIG ?= release
PREFIX ?= /usr/local
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release run install bin-dir walkthrough api-fuzz devnet dashboard-check test erasure-differential fuzz bench oracle format lint clean

## Install the missing apt packages (runs apt-get only when something is missing).
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

## A release backingd that can be copied to another Debian machine: the Swift runtime and Foundation are
## linked in (--static-swift-stdlib); the C libraries come from the packages above.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product backingd

## Copy backingd to $(PREFIX)/bin and the dashboard to $(PREFIX)/share/backingd/Public
## (serve --public-dir $(PREFIX)/share/backingd/Public). Example: make install PREFIX=~/.local
install: release
	install -D -m 755 "$$($(SWIFT) build -c release --show-bin-path)/backingd" "$(DESTDIR)$(PREFIX)/bin/backingd"
	mkdir -p "$(DESTDIR)$(PREFIX)/share/backingd/Public"
	cp Public/* "$(DESTDIR)$(PREFIX)/share/backingd/Public/"

## Print the folder holding the built backingd (CONFIG=release by default): export PATH="$$(make -s bin-dir):$$PATH".
bin-dir:
	@$(SWIFT) build -c $(CONFIG) --show-bin-path

## README's walk-through, run as written against a fresh `serve --dev` node (part of `make test`).
walkthrough: deps
	SWIFT=$(SWIFT) bash scripts/walkthrough.sh

## Start the service with the embedded dev defaults (validator //Alice, 127.0.0.1:8080, ./.backingd).
run: release
	$$($(SWIFT) build -c release --show-bin-path)/backingd serve --dev

## A local backing network until Ctrl-C: 6 validators (//Alice…//Ferdie) on 127.0.0.1:9100-9105, 2 adder
## paras, a block every 6 s; dashboard at http://127.0.0.1:9100/. Other settings: make devnet DEVNET_ARGS="--block-time 2".
devnet: build
	$$($(SWIFT) build --show-bin-path)/backingd devnet $(DEVNET_ARGS)

## The dashboard in headless Chromium against a short devnet (installs Debian chromium if missing); writes dashboard.png.
dashboard-check: deps
	SWIFT=$(SWIFT) bash scripts/dashboard-check.sh

## Build and run every test, then the erasure-coding differential check and the dashboard check. The crash
## tests (kill -9 storms of real nodes) and the devnets (blocks with a deadline) run on their own
## afterwards: their timing must not compete with hundreds of CPU-bound unit tests for the same cores. The
## devnets of node processes (MultiProcessDevnetTests) run after the in-process ones, not beside them. Each
## test phase runs under scripts/watchdog.sh: one that hangs fails in 10 minutes with every thread's stack.
test: deps
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) bash scripts/erasure-differential.sh
	SWIFT=$(SWIFT) bash scripts/dashboard-check.sh
	SWIFT=$(SWIFT) DASHBOARD_DEVNET_ARGS=--async-backing DASHBOARD_PNG=dashboard-async.png bash scripts/dashboard-check.sh
	SWIFT=$(SWIFT) DASHBOARD_DEVNET_ARGS=--processes DASHBOARD_PNG=dashboard-processes.png bash scripts/dashboard-check.sh
	SWIFT=$(SWIFT) bash scripts/walkthrough.sh
	SWIFT=$(SWIFT) bash scripts/api-fuzz.sh
	bash scripts/watchdog.sh 10 $(SWIFT) test --skip-build --skip CrashTests --skip DevnetTests --skip MemoryBudgetTests
	bash scripts/watchdog.sh 10 $(SWIFT) test --skip-build --filter 'DevnetTests|MemoryBudgetTests' --skip MultiProcessDevnetTests
	bash scripts/watchdog.sh 10 $(SWIFT) test --skip-build --filter MultiProcessDevnetTests
	bash scripts/watchdog.sh 10 $(SWIFT) test --skip-build --filter CrashTests

## schemathesis (own virtualenv .venv-schemathesis/) with every check over the served openapi.yaml (part of `make test`).
api-fuzz: deps
	SWIFT=$(SWIFT) bash scripts/api-fuzz.sh

## Our erasure-coding chunks against the PyPI encoder reed-solomon-leopard (own virtualenv .venv-erasure/).
erasure-differential: deps
	SWIFT=$(SWIFT) bash scripts/erasure-differential.sh

## Coverage-guided fuzzing with libFuzzer (scripts/fuzz.sh): each target for FUZZ_SECONDS (default 60) from its
## committed corpus; crashes go to .fuzz/artifacts/. Example: make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS="scale pvf".
FUZZ_SECONDS ?= 60
fuzz: deps
	SWIFT=$(SWIFT) FUZZ_SECONDS=$(FUZZ_SECONDS) $(if $(FUZZ_TARGETS),FUZZ_TARGETS="$(FUZZ_TARGETS)") bash scripts/fuzz.sh

## Benchmarks (release build); the schnorrkel baseline needs `make oracle` once.
bench: deps
	$(SWIFT) run -c release backingd-bench

## A virtualenv with the Python oracles (checks and baselines only; never a runtime dependency).
oracle:
	bash Benchmarks/setup-oracle.sh

format:
	swift-format format -i -r Package.swift Sources Tests Benchmarks Fuzz

lint:
	swift-format lint -r Package.swift Sources Tests Benchmarks Fuzz

clean:
	rm -rf .build .build-fuzz .fuzz
