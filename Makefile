# qemu-jitdump: linux-perf integration toolkit for QEMU's TCG.
#
#   make demo     install what is missing, build, profile a bundled guest, print the report
#   make check    the same set-up, then every test (unit, sanitizer, golden, integration)
#   make          the library, tbsym and qemu-perf into build/, with nothing but their
#                 build dependencies (checked with pkg-config; nothing is installed)
#   make install  those, and the patched QEMU when it is built, into $(DESTDIR)$(PREFIX)
#   make deps     install missing Debian packages (as root)
#   make qemu     the patched QEMU (build/bin/qemu-x86_64, qemu-aarch64, build/plugins/;
#                 qemu-system-x86_64, qemu-system-aarch64 and build/share/qemu/)
#   make kernel   Debian's kernel + a busybox initramfs for the system-mode tests
#   make qemu-ref the same QEMU without our patches (build/ref/bin/)
#   make series-check  build every prefix of the patch series and run a guest after each
#   make asan     library + unit tests with ASan+UBSan into build/asan/
#   make tsan     tbsym with ThreadSanitizer into build/tsan/bin/ (make check builds it)
#   make fixtures-check  regenerate every committed binary fixture, fail on a difference
#   make bench    the benchmarks of bench/, rewriting bench/RESULTS.md
#   make fuzz     every libFuzzer target for FUZZ_SECONDS (600) each, with clang

CC       ?= cc
CFLAGS   ?= -O2 -g
# -Werror in development and CI builds (make check, make demo; or WERROR=1),
# not in a packager's build with another compiler.
WARNINGS := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror)
BUILD    := build
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share
LIBEXECDIR ?= $(PREFIX)/libexec
DOCDIR   ?= $(DATADIR)/doc/qemu-jitdump
CACHE    ?= /var/cache/qemu-jitdump
PKGS     := libelf libdw libzstd capstone libunwind-generic
# pkg-config name:Debian package, for scripts/check-build-deps.sh.
BUILD_DEPS := libelf:libelf-dev libdw:libdw-dev libzstd:libzstd-dev capstone:libcapstone-dev \
              libunwind-generic:libunwind-dev
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS       = $(PKG_LIBS) -lm -pthread
CPPFLAGS += -Ilib -D_GNU_SOURCE
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRCS    := $(sort $(wildcard lib/*.c))
TBSYM_SRCS  := $(sort $(wildcard symbolizer/*.c))
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TBSYM_OBJS  := $(TBSYM_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
ASAN_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/asan/obj/%.o)
ASAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/asan/tests/%)
FUZZ_REPLAY := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/tests/replay_%)

QEMU_INPUTS := $(wildcard qemu-jitdump/patches/*) qemu-jitdump/build-qemu.sh \
               qemu-jitdump/fetch-qemu.sh qemu-jitdump/qemu-source.sha256
QEMU_BINS   := $(BUILD)/bin/qemu-x86_64 $(BUILD)/bin/qemu-aarch64
# built with them (qemu-jitdump/build-qemu.sh), with the x86 option ROMs
QEMU_SYSTEM_BINS := $(BUILD)/bin/qemu-system-x86_64 $(BUILD)/bin/qemu-system-aarch64

.PHONY: all deps build-deps qemu qemu-ref series-check tools install demo check unit asan tsan guests kernel \
        bench fuzz fuzz-build fixtures-check clean distclean
.DELETE_ON_ERROR:

all: tools

deps:
	@scripts/deps.sh

PERF_SCRIPTS := $(BUILD)/bin/qemu-perf $(BUILD)/share/qemu-perf/tbstats-report.py \
                $(BUILD)/share/qemu-perf/tbstats_format.py $(BUILD)/share/qemu-perf/tbstats-fields.h

tools: $(BUILD)/lib/libqjd.a $(BUILD)/bin/tbsym $(PERF_SCRIPTS)

# qemu-perf finds tbsym and the patched QEMU next to itself, and the perf
# script in ../share/qemu-perf/.
$(BUILD)/bin/qemu-perf: perf-scripts/qemu-perf
	@mkdir -p $(@D)
	cp $< $@ && chmod +x $@

$(BUILD)/share/qemu-perf/%: perf-scripts/%
	@mkdir -p $(@D)
	cp $< $@

# The STATS counters tbstats_format.py decodes, from the one list of them.
$(BUILD)/share/qemu-perf/tbstats-fields.h: lib/tbstats-fields.h
	@mkdir -p $(@D)
	cp $< $@

# --- the library and the symbolizer ---------------------------------------
# build-deps: one line naming the Debian package of a missing -dev package.
# An order-only prerequisite: it never forces a rebuild.
build-deps:
	@CC="$(CC)" scripts/check-build-deps.sh $(BUILD_DEPS)

$(BUILD)/obj/%.o: %.c $(wildcard lib/*.h) | build-deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARNINGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/lib/libqjd.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/tbsym: $(TBSYM_OBJS) $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TBSYM_OBJS) $(BUILD)/lib/libqjd.a $(LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(PKG_CFLAGS) $(WARNINGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/lib/libqjd.a $(LIBS)

# Fuzz targets are replayed over their saved corpus by a plain driver (no clang needed).
$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(wildcard tests/fuzz/*.h) $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARNINGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/lib/libqjd.a $(LIBS)

# Tools for tests and benchmarks, built on the library like tbsym.
$(BUILD)/tests/synth-recording: tests/tools/synth-recording.c $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARNINGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/lib/libqjd.a $(LIBS)
$(BUILD)/tests/check-code: tests/tools/check-code.c $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARNINGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/lib/libqjd.a $(LIBS)

# --- sanitizer build ---------------------------------------------------------
$(BUILD)/asan/obj/%.o: %.c $(wildcard lib/*.h) | build-deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARNINGS) $(CFLAGS) $(SAN) -MMD -MP -c $< -o $@

$(BUILD)/asan/lib/libqjd.a: $(ASAN_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/asan/tests/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(BUILD)/asan/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(PKG_CFLAGS) $(WARNINGS) $(CFLAGS) $(LDFLAGS) $(SAN) -o $@ $< $(BUILD)/asan/lib/libqjd.a $(LIBS)

asan: $(ASAN_UNIT_BINS)

# --- ThreadSanitizer build of tbsym (tbsym diff reads two recordings in two threads) --
TSAN := -fsanitize=thread -O1 -g
TSAN_OBJS := $(LIB_SRCS:%.c=$(BUILD)/tsan/obj/%.o) $(TBSYM_SRCS:%.c=$(BUILD)/tsan/obj/%.o)

$(BUILD)/tsan/obj/%.o: %.c $(wildcard lib/*.h) $(wildcard symbolizer/*.h) | build-deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(WARNINGS) $(TSAN) -MMD -MP -c $< -o $@

$(BUILD)/tsan/bin/tbsym: $(TSAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(TSAN) $(LDFLAGS) -o $@ $(TSAN_OBJS) $(LIBS)

tsan: $(BUILD)/tsan/bin/tbsym

# The committed binary fixtures, written again by their generators (make check runs it).
fixtures-check: $(BUILD)/lib/libqjd.a
	@tests/fixtures-check.sh $(BUILD)

# --- libFuzzer builds (clang only; see tests/fuzz/README.md) -------------------
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= 2
FUZZ_CFLAGS  := -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_BINS   := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/obj/%.o: %.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

$(BUILD)/fuzz/lib/libqjd.a: $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(BUILD)/fuzz/lib/libqjd.a
	$(FUZZ_CC) $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(BUILD)/fuzz/lib/libqjd.a $(LIBS)

fuzz-build: $(FUZZ_BINS)

# Runs each target for FUZZ_SECONDS, FUZZ_JOBS at a time, into a scratch corpus
# under build/fuzz/ seeded from tests/fuzz/corpus/ (which it never writes).
fuzz:
	@if tests/fuzz/have-libfuzzer.sh $(FUZZ_CC); then \
	    $(MAKE) --no-print-directory fuzz-build && \
	    tests/fuzz/run-fuzz.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS); \
	else \
	    echo "make fuzz: skipped, $(FUZZ_CC) with libFuzzer (-fsanitize=fuzzer) is not available"; \
	fi

# --- QEMU ---------------------------------------------------------------------
qemu: $(QEMU_BINS)

$(QEMU_BINS) &: $(QEMU_INPUTS) | deps-quiet
	qemu-jitdump/build-qemu.sh patched $(BUILD) $(CACHE)/src

qemu-ref: $(BUILD)/ref/bin/qemu-x86_64

$(BUILD)/ref/bin/qemu-x86_64: qemu-jitdump/build-qemu.sh qemu-jitdump/fetch-qemu.sh qemu-jitdump/qemu-source.sha256 | deps-quiet
	qemu-jitdump/build-qemu.sh ref $(BUILD) $(CACHE)/src

# Every prefix of the series, built incrementally in build/series/, with the
# demo guest run under -perf after each patch (see qemu-jitdump/series-check.sh).
series-check: guests | deps-quiet
	qemu-jitdump/series-check.sh $(BUILD) $(CACHE)/src

# deps-quiet: installs what is missing before anything is compiled, silently when
# nothing is.  An order-only prerequisite, so it never forces a rebuild.
.PHONY: deps-quiet
deps-quiet:
	@scripts/deps.sh

# --- guest programs -------------------------------------------------------------
# (cross compilers: make deps)
guests: | deps-quiet
	@$(MAKE) -s -C tests/guests OUT=$(abspath $(BUILD))/guests

# --- the two commands -------------------------------------------------------------
# Each does the whole set-up first (scripts/deps.sh), then builds with -Werror.
SETUP = @scripts/deps.sh && $(MAKE) --no-print-directory WERROR=1

demo:
	$(SETUP) tools qemu guests
	@perf-scripts/demo.sh $(BUILD)

unit: $(UNIT_BINS) $(ASAN_UNIT_BINS) $(FUZZ_REPLAY) $(BUILD)/tests/synth-recording \
      $(BUILD)/tests/check-code $(BUILD)/tsan/bin/tbsym

check:
	$(SETUP) tools qemu guests unit kernel
	@KERNEL_CACHE=$(CACHE)/kernel tests/run-tests.sh $(BUILD)

bench:
	$(SETUP) tools qemu qemu-ref guests kernel $(BUILD)/tests/synth-recording
	@KERNEL_CACHE=$(CACHE)/kernel bench/run.sh $(BUILD)

# Debian's kernel and the busybox initramfs of test_system_kernel.sh and
# bench_system.py, in $(CACHE)/kernel: downloaded once; its System.map is read
# from the kernel booted on the system QEMU (scripts/fetch-kernel.sh).
kernel: | qemu
	@SYS_X86=$(BUILD)/bin/qemu-system-x86_64 SYS_ARM=$(BUILD)/bin/qemu-system-aarch64 \
	    SYS_ROMS=$(BUILD)/share/qemu scripts/fetch-kernel.sh $(CACHE)/kernel > /dev/null

# --- install ----------------------------------------------------------------------
# tbsym and qemu-perf in BINDIR, the perf-script helpers in DATADIR/qemu-perf
# (where qemu-perf looks for them), README.md and docs/ in DOCDIR (so the
# README's links work), and the patched QEMU (user and system emulators),
# when built, in LIBEXECDIR/qemu-jitdump: qemu-perf finds it there, and it
# does not shadow the distribution's qemu-x86_64 on PATH; the x86 option ROMs
# the system emulator's -kernel needs in DATADIR/qemu-jitdump (give it -L).
install: tools
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/qemu-perf $(DESTDIR)$(DOCDIR)/docs
	install -m 755 $(BUILD)/bin/tbsym $(BUILD)/bin/qemu-perf $(DESTDIR)$(BINDIR)/
	install -m 755 $(BUILD)/share/qemu-perf/tbstats-report.py $(DESTDIR)$(DATADIR)/qemu-perf/
	install -m 644 $(BUILD)/share/qemu-perf/tbstats_format.py \
	    $(BUILD)/share/qemu-perf/tbstats-fields.h $(DESTDIR)$(DATADIR)/qemu-perf/
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	@set -e; for q in $(QEMU_BINS) $(QEMU_SYSTEM_BINS); do \
	    if [ -x $$q ]; then \
	        install -d $(DESTDIR)$(LIBEXECDIR)/qemu-jitdump; \
	        echo "install -m 755 $$q $(DESTDIR)$(LIBEXECDIR)/qemu-jitdump/"; \
	        install -m 755 $$q $(DESTDIR)$(LIBEXECDIR)/qemu-jitdump/; \
	    fi; \
	done; \
	if [ -d $(BUILD)/share/qemu ]; then \
	    install -d $(DESTDIR)$(DATADIR)/qemu-jitdump; \
	    echo "install -m 644 $(BUILD)/share/qemu/*.bin $(DESTDIR)$(DATADIR)/qemu-jitdump/"; \
	    install -m 644 $(BUILD)/share/qemu/*.bin $(DESTDIR)$(DATADIR)/qemu-jitdump/; \
	fi

clean:
	rm -rf $(BUILD)/obj $(BUILD)/lib $(BUILD)/tests $(BUILD)/asan $(BUILD)/tsan $(BUILD)/fuzz $(BUILD)/bin/tbsym $(BUILD)/guests

distclean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/asan/obj $(BUILD)/tsan/obj -name '*.d' 2>/dev/null)
