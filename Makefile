# Makefile - a thin wrapper over Meson: `make run` and `make test` are the two
# commands a newcomer needs (README.md). Each installs what is missing first.
# SPDX-License-Identifier: Apache-2.0

WERROR := $(if $(filter true,$(CI)),-Dwerror=true,)
MESON_SETUP = meson setup --reconfigure

.PHONY: all deps build build-asan test run bench interop-deps clean

all: build

deps:
	@sh scripts/deps.sh
	@sh scripts/npm-contexts.sh

build: deps
	@if [ ! -f build/build.ninja ]; then meson setup build $(WERROR) >/dev/null; \
	 elif [ -n "$(WERROR)" ]; then meson configure build $(WERROR) >/dev/null; fi
	@ninja -C build

build-asan: deps
	@if [ ! -f build-asan/build.ninja ]; then meson setup build-asan $(WERROR) \
	   -Db_sanitize=address,undefined -Db_lundef=false \
	   -Dc_args=-fno-sanitize-recover=all >/dev/null; fi
	@ninja -C build-asan

interop-deps:
	@sh scripts/npm-deps.sh

# Every test: the plain build (all suites), the unit and e2e suites again
# under ASan+UBSan, with a throw-away PostgreSQL server (scripts/with-pg.sh),
# then one summary line.
test: build build-asan interop-deps
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  sh scripts/with-pg.sh python3 tests/run.py build build-asan:unit,e2e

run: build
	@sh scripts/demo.sh

bench: build
	@sh bench/run.sh

clean:
	rm -rf build build-asan
