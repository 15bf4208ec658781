# sitrep: build, test and run. `make run` and `make check` are the two
# commands a newcomer needs; both install what is missing first (make deps).

PREFIX   ?= /usr/local
SANITIZE ?=
WERROR   ?=
O        := build$(if $(SANITIZE),-san)

DEB_PACKAGES := gcc make pkg-config git perl jq sqlite3 mandoc \
	libsqlite3-dev libgit2-dev libconfig-dev libcurl4-openssl-dev \
	libmbedtls-dev libhttp-parser-dev libssh2-1-dev libpcre2-dev zlib1g-dev \
	libmicrohttpd-dev libjansson-dev libssl-dev libcmocka-dev \
	clang libclang-rt-14-dev valgrind \
	python3 python3-aiosmtpd nginx-light wrk curl openssl chromium tzdata
PKGS := sqlite3 libgit2 libconfig libcurl libmicrohttpd jansson libcrypto

CC      ?= cc
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wvla $(if $(WERROR),-Werror)
CFLAGS  ?= -O2 -g
LDFLAGS ?= -Wl,--as-needed
# repo.c skips libgit2's HTTPS and SSH start-up (see the comment there).
LDFLAGS += -Wl,--wrap=git_mbedtls_stream_global_init \
	-Wl,--wrap=git_transport_ssh_global_init
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude
SANFLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Every sitrep command starts a process, and loading two dozen shared
# libraries (libgit2 pulls in mbedTLS, libssh2, Kerberos...) cost more than
# the work itself: the store, config and git libraries are linked statically
# (bench/playbook.sh measures it). libgit2's GSSAPI calls are answered by
# src/nogss.c instead of Kerberos's seven shared libraries (linked as an
# object: nothing before libgit2 on the line refers to it).
STATIC_LIBS := -Wl,-Bstatic -lgit2 -lmbedtls -lmbedx509 -lmbedcrypto \
	-lhttp_parser -lssh2 -lpcre2-8 -lz -lsqlite3 -lconfig -ljansson -lcrypto \
	-Wl,-Bdynamic -lm -lpthread -ldl
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

# The layers, lowest first (README, Design): each folder may call the ones
# before it. The library holds all but the daemon's own modules.
LAYERS  := util store config deliver domain public
LIB_SRC := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(O)/lib/%.o)
LIB_HDR := $(wildcard include/sitrep/*.h $(LAYERS:%=src/%/*.h))
CLI_SRC := $(wildcard src/cli/*.c)
CLI_OBJ := $(CLI_SRC:src/cli/%.c=$(O)/cli/%.o)
D_SRC   := $(wildcard src/daemon/*.c)
D_OBJ   := $(D_SRC:src/daemon/%.c=$(O)/daemon/%.o)
# the daemon's modules without its main(), for the unit tests
D_MOD   := $(filter-out $(O)/daemon/sitrepd.o,$(D_OBJ))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)

.PHONY: all deps test-deps check unit cli-test man-lint run fuzz fuzz-run clean install
all: deps $(O)/sitrep $(O)/sitrepd

# Install the Debian packages that are missing: one update, one install.
# A fast no-op when everything is present.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "sitrep: run make as root to install:" $$missing >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# What the delivery tests need beyond Debian's packages: Node.js (Debian's,
# unless one is already installed) and the Standard Webhooks reference
# library from the npm registry, which checks our signatures independently.
SERVERS := tests/cli/servers
test-deps: deps $(SERVERS)/node_modules/.installed
$(SERVERS)/node_modules/.installed: $(SERVERS)/package.json $(SERVERS)/package-lock.json
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "installing: nodejs npm"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	fi
	npm ci --prefix $(SERVERS) --no-audit --no-fund --loglevel=error
	@touch $@

$(O)/lib/%.o: src/%.c $(LIB_HDR) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -c -o $@ $<
$(O)/cli/%.o: src/cli/%.c $(wildcard include/sitrep/*.h src/cli/*.h) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -Isrc/cli -c -o $@ $<
$(O)/daemon/%.o: src/daemon/%.c $(LIB_HDR) $(wildcard src/daemon/*.h) | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(O)/libsitrep.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The shipped playbooks, compiled into sitrep for `sitrep init`.
$(O)/gen/shipped.c: $(wildcard playbooks/*.playbook) tools/embed-playbooks.sh
	@mkdir -p $(@D)
	sh tools/embed-playbooks.sh $(sort $(wildcard playbooks/*.playbook)) > $@
$(O)/gen/shipped.o: $(O)/gen/shipped.c
	$(CC) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

# The CLI is linked as a fixed-address executable: a new process per command
# otherwise spends a good part of its life applying the relocations of a
# position-independent one (bench/playbook.sh). The daemon stays PIE.
$(O)/sitrep: $(CLI_OBJ) $(O)/gen/shipped.o $(O)/libsitrep.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -no-pie -o $@ $(CLI_OBJ) $(O)/gen/shipped.o $(O)/libsitrep.a $(O)/lib/config/nogss.o $(STATIC_LIBS)
# The daemon also serves HTTP (libmicrohttpd, its own thread).
$(O)/sitrepd: $(D_OBJ) $(O)/libsitrep.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $(D_OBJ) $(O)/libsitrep.a $(O)/lib/config/nogss.o $(STATIC_LIBS) \
		-lmicrohttpd -lpthread

$(O)/tests/%: tests/unit/%.c $(D_MOD) $(O)/libsitrep.a tests/unit/testutil.h tests/unit/diagcheck.h | deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -Itests/unit -o $@ $< $(D_MOD) $(O)/libsitrep.a $(O)/lib/config/nogss.o $(STATIC_LIBS) -lmicrohttpd -lpthread $(CMOCKA_LIBS)

check: all unit cli-test man-lint
unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "# $$t"; $$t || fail=1; done; exit $$fail
cli-test: $(O)/sitrep $(O)/sitrepd test-deps
	SITREP_BIN=$(CURDIR)/$(O) SITREP_SRC=$(CURDIR) prove -e bash tests/cli/t*.sh
man-lint: deps
	mandoc -Tlint -W warning doc/*.1 doc/*.5 doc/*.8

# The main job on the embedded default: a workspace under ./var, then
# sitrepd in the foreground serving its status page (Ctrl-C stops it).
run: all
	@[ -f var/sitrep.conf ] || $(O)/sitrep init var
	$(O)/sitrep -c var/sitrep.conf playbook list
	@sh contrib/walkthrough.sh $(O)/sitrep var
	$(O)/sitrepd -c var/sitrep.conf -f

# libFuzzer targets (clang), one tests/fuzz/fuzz_NAME.c each: the playbook
# parser, the small text parsers, the site config, the channel payloads, the
# escapers, the Retry-After and duration parsers, the store file, and the
# HTTP form decoder, router and framing checks. A new one is one more word
# in FUZZ_TARGETS. fuzz-run shares FUZZ_SECONDS among them, each from
# tests/fuzz/seeds/NAME (and NAME.dict when there is one).
FUZZ_TARGETS := playbook text conf payload escape retry duration store http
FUZZ_BINS := $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
FUZZ_OBJ := $(LIB_SRC:src/%.c=build-fuzz/lib/%.o) $(patsubst src/%.c,build-fuzz/lib/%.o,$(filter-out src/daemon/sitrepd.c,$(D_SRC)))
FUZZ_CC := clang -g -O1 -std=c11 -D_GNU_SOURCE -Iinclude
FUZZ_LIBS = $(PKG_LIBS) -lmbedcrypto -lmicrohttpd -lpthread -ldl
fuzz: $(FUZZ_BINS)
build-fuzz/lib/%.o: src/%.c $(LIB_HDR) $(wildcard src/daemon/*.h) | deps
	@mkdir -p $(@D)
	$(FUZZ_CC) -fsanitize=fuzzer-no-link,address,undefined $(PKG_CFLAGS) -c -o $@ $<
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -o $@ $< $(FUZZ_OBJ) $(FUZZ_LIBS)
# the objects are kept between runs (not intermediate files make removes)
.SECONDARY: $(FUZZ_OBJ)
FUZZ_SECONDS ?= 60
fuzz-run: $(FUZZ_BINS)
	@n=$(words $(FUZZ_TARGETS)); secs=$$(( $(FUZZ_SECONDS) / n )); [ $$secs -gt 0 ] || secs=1; \
	failed=; for t in $(FUZZ_TARGETS); do \
		c=build-fuzz/corpus-$$t; rm -rf $$c; mkdir -p $$c; \
		if [ -d tests/fuzz/seeds/$$t ]; then cp -r tests/fuzz/seeds/$$t/. $$c/; fi; \
		if [ $$t = playbook ]; then cp playbooks/*.playbook $$c/; fi; \
		dict=; if [ -f tests/fuzz/$$t.dict ]; then dict=-dict=tests/fuzz/$$t.dict; fi; \
		echo "# fuzz_$$t for $$secs s, then its corpus again with leak detection"; \
		SITREP_FUZZ_CORPUS=$$c build-fuzz/fuzz_$$t -max_total_time=$$secs $$dict -detect_leaks=0 \
			-artifact_prefix=build-fuzz/$$t- -print_final_stats=1 $$c && \
		build-fuzz/fuzz_$$t -runs=0 -artifact_prefix=build-fuzz/$$t- $$c || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz-run: failed:$$failed (inputs in build-fuzz/)" >&2; exit 1; fi

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(O)/sitrep $(O)/sitrepd $(DESTDIR)$(PREFIX)/bin/
	install -m 644 doc/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 doc/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 doc/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf build build-san build-fuzz
