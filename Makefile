# sitrep: build, test and run. `make run` and `make check` are the two
# commands a newcomer needs; both install what is missing first (make deps).

PREFIX   ?= /usr/local
# systemd looks for units under /usr/local/lib too (systemd.unit(5))
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SANITIZE ?=
WERROR   ?=
STATIC_CLI ?=
# One build folder per set of options, so switching never mixes objects:
# build, build-san-address-undefined, build-static...
comma   := ,
O       := build$(if $(SANITIZE),-san-$(subst $(comma),-,$(SANITIZE)))$(if $(STATIC_CLI),-static)

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
# -MMD -MP: each object's header dependencies, written beside it (.d)
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -MMD -MP
SANFLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# The system's shared libraries, as pkg-config names them, so Debian's
# security updates reach an installed sitrep without a rebuild. libgit2
# and libcurl are loaded with dlopen when first needed (src/config/gitapi.c,
# src/deliver/curlapi.c): with the libraries behind them (mbedTLS, libssh2,
# OpenSSL, Kerberos...), loading them costs more than most commands' own
# work, and most commands need neither. mbedTLS has no .pc file in Debian.
LIBS = $(shell pkg-config --libs sqlite3 libconfig jansson libcrypto 2>/dev/null) \
	-lmbedcrypto -lm -lpthread -ldl
D_LIBS = $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

# The layers, lowest first (README, Design): each folder may call the ones
# before it. The library holds all but the daemon's own modules.
LAYERS  := util store config deliver domain public ops
LIB_SRC := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(O)/lib/%.o)
CLI_SRC := $(wildcard src/cli/*.c)
CLI_OBJ := $(CLI_SRC:src/cli/%.c=$(O)/cli/%.o)
D_SRC   := $(wildcard src/daemon/*.c)
D_OBJ   := $(D_SRC:src/daemon/%.c=$(O)/daemon/%.o)
# the daemon's modules without its main(), for the unit tests
D_MOD   := $(filter-out $(O)/daemon/sitrepd.o,$(D_OBJ))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)

.PHONY: all deps test-deps check layers unit cli-test man-lint run fuzz fuzz-run clean install
all: $(O)/sitrep $(O)/sitrepd

# `make run`, `make check` and `make deps` install what is missing before
# they build; any other goal builds with what is installed, so a build as
# an ordinary user works once the packages are there.
DEPS_FIRST := $(if $(filter run check deps,$(MAKECMDGOALS)),deps)

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
test-deps: $(DEPS_FIRST) $(SERVERS)/node_modules/.installed
$(SERVERS)/node_modules/.installed: $(SERVERS)/package.json $(SERVERS)/package-lock.json
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		echo "installing: nodejs npm"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	fi
	npm ci --prefix $(SERVERS) --no-audit --no-fund --loglevel=error
	@touch $@

COMPILE = $(CC) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS)
$(O)/lib/%.o: src/%.c | $(DEPS_FIRST)
	@mkdir -p $(@D)
	$(COMPILE) -c -o $@ $<
$(O)/cli/%.o: src/cli/%.c | $(DEPS_FIRST)
	@mkdir -p $(@D)
	$(COMPILE) -Isrc/cli -c -o $@ $<
$(O)/daemon/%.o: src/daemon/%.c | $(DEPS_FIRST)
	@mkdir -p $(@D)
	$(COMPILE) -c -o $@ $<

$(O)/libsitrep.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# The shipped playbooks, compiled into sitrep for `sitrep init`.
$(O)/gen/shipped.c: $(wildcard playbooks/*.playbook) tools/embed-playbooks.sh
	@mkdir -p $(@D)
	sh tools/embed-playbooks.sh $(sort $(wildcard playbooks/*.playbook)) > $@
$(O)/gen/shipped.o: $(O)/gen/shipped.c
	$(CC) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

ifeq ($(STATIC_CLI),)
$(O)/sitrep: $(CLI_OBJ) $(O)/gen/shipped.o $(O)/libsitrep.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(O)/gen/shipped.o $(O)/libsitrep.a $(LIBS)
else
# make STATIC_CLI=1 (in build-static/): a CLI for sites that run many
# commands that read git (open, playbook ...). The store, config and git
# libraries are linked statically and libgit2 is called directly
# (gitapi.c built with GITAPI_LINKED, so no dlopen); libgit2's HTTPS and
# SSH start-up is wrapped away (src/static/gitwrap.c) and its GSSAPI calls
# answered in-process (src/static/nogss.c, linked as an object: nothing
# before libgit2 on the line refers to it); a fixed-address executable
# spends no time on its own relocations. The daemon stays as ordinary.
# The link traces the wrapped symbols and fails unless libgit2 itself
# refers to each one: a libgit2 that renamed a wrapped function would
# otherwise silently run its start-up again.
STATIC_WRAPS := git_mbedtls_stream_global_init git_transport_ssh_global_init
STATIC_LIBS := -Wl,-Bstatic -lgit2 -lmbedtls -lmbedx509 -lmbedcrypto \
	-lhttp_parser -lssh2 -lpcre2-8 -lz -lsqlite3 -lconfig -ljansson -lcrypto \
	-Wl,-Bdynamic -lm -lpthread -ldl
STATIC_OBJ := $(O)/static/gitapi-linked.o $(O)/static/gitwrap.o $(O)/static/nogss.o
$(O)/static/gitapi-linked.o: src/config/gitapi.c | $(DEPS_FIRST)
	@mkdir -p $(@D)
	$(COMPILE) -DGITAPI_LINKED -c -o $@ $<
$(O)/static/%.o: src/static/%.c | $(DEPS_FIRST)
	@mkdir -p $(@D)
	$(COMPILE) -c -o $@ $<
$(O)/sitrep: $(CLI_OBJ) $(O)/gen/shipped.o $(STATIC_OBJ) $(O)/libsitrep.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -no-pie $(STATIC_WRAPS:%=-Wl,--wrap=%) \
		$(STATIC_WRAPS:%=-Wl,-y,__wrap_%) -o $@ $(CLI_OBJ) $(O)/gen/shipped.o \
		$(STATIC_OBJ) $(O)/libsitrep.a $(STATIC_LIBS) 2> $@.trace; \
		rc=$$?; grep -v ': \(definition of\|reference to\) ' $@.trace >&2; exit $$rc
	@for w in $(STATIC_WRAPS); do \
		grep -q "libgit2\.a(.*): reference to __wrap_$$w$$" $@.trace || { \
		echo "sitrep: the wrap of $$w no longer applies: libgit2 does not call it" >&2; \
		rm -f $@; exit 1; }; done
endif
# The daemon also serves HTTP (libmicrohttpd, its own thread).
$(O)/sitrepd: $(D_OBJ) $(O)/libsitrep.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $(D_OBJ) $(O)/libsitrep.a $(LIBS) $(D_LIBS)

$(O)/tests/%.o: tests/unit/%.c | $(DEPS_FIRST)
	@mkdir -p $(@D)
	$(COMPILE) -Itests/unit -c -o $@ $<
$(O)/tests/%: $(O)/tests/%.o $(D_MOD) $(O)/libsitrep.a
	$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $< $(TEST_OBJ) $(D_MOD) $(O)/libsitrep.a $(LIBS) $(D_LIBS) $(CMOCKA_LIBS)
# the CLI's option parser is tested from its own objects (not in libsitrep.a)
$(O)/tests/test_cli_args.o: CFLAGS += -Isrc/cli
$(O)/tests/test_cli_args: TEST_OBJ = $(O)/cli/cli-args.o $(O)/cli/cli.o $(O)/cli/show.o
$(O)/tests/test_cli_args: $(O)/cli/cli-args.o $(O)/cli/cli.o $(O)/cli/show.o
# the objects are kept between runs (not intermediate files make removes)
.SECONDARY: $(UNIT_BIN:%=%.o)

check: all layers unit cli-test man-lint | $(DEPS_FIRST)
unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do echo "# $$t"; $$t || fail=1; done; exit $$fail
cli-test: $(O)/sitrep $(O)/sitrepd test-deps
	SITREP_BIN=$(CURDIR)/$(O) SITREP_SRC=$(CURDIR) prove -e bash tests/cli/t*.sh
# the layers of src/ and each library behind its module (README, Design)
layers:
	sh tools/check-layers.sh
man-lint: $(DEPS_FIRST)
	mandoc -Tlint -W warning doc/*.1 doc/*.5 doc/*.8

# The main job on the embedded default: a workspace under ./var, then
# sitrepd in the foreground serving its status page (Ctrl-C stops it).
run: all | $(DEPS_FIRST)
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
FUZZ_TARGETS := playbook schedule text conf payload escape retry duration store http
FUZZ_BINS := $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
FUZZ_OBJ := $(LIB_SRC:src/%.c=build-fuzz/lib/%.o) $(patsubst src/%.c,build-fuzz/lib/%.o,$(filter-out src/daemon/sitrepd.c,$(D_SRC)))
FUZZ_CC := clang -g -O1 -std=c11 -D_GNU_SOURCE -Iinclude
FUZZ_LIBS = $(LIBS) $(D_LIBS)
fuzz: $(FUZZ_BINS)
build-fuzz/lib/%.o: src/%.c | $(DEPS_FIRST)
	@mkdir -p $(@D)
	$(FUZZ_CC) -fsanitize=fuzzer-no-link,address,undefined $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
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

# The programs, their man pages, and sitrepd's systemd unit with the
# installed path of sitrepd (systemctl daemon-reload, then enable it).
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(UNITDIR)
	install -m 755 $(O)/sitrep $(O)/sitrepd $(DESTDIR)$(PREFIX)/bin/
	install -m 644 doc/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 doc/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 doc/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	sed 's|/usr/local/bin/sitrepd|$(PREFIX)/bin/sitrepd|' contrib/sitrepd.service \
		> $(DESTDIR)$(UNITDIR)/sitrepd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/sitrepd.service

# the header dependencies -MMD wrote
-include $(patsubst %.o,%.d,$(LIB_OBJ) $(CLI_OBJ) $(D_OBJ) $(UNIT_BIN:=.o) $(STATIC_OBJ) $(FUZZ_OBJ))

clean:
	rm -rf build build-san-* build-static build-static-* build-fuzz
