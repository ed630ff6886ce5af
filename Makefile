# qemu-jitdump: linux-perf integration toolkit for QEMU's TCG.
#
#   make demo     install what is missing, build, profile a bundled guest, print the report
#   make check    the same set-up, then every test (unit, sanitizer, golden, integration)
#   make          the library, the symbolizer and the patched QEMU into build/
#   make deps     install missing Debian packages (as root)
#   make qemu     the patched QEMU (build/bin/qemu-x86_64, qemu-aarch64, build/plugins/)
#   make qemu-ref the same QEMU without our patches (build/ref/bin/)
#   make series-check  build every prefix of the patch series and run a guest after each
#   make asan     library + unit tests with ASan+UBSan into build/asan/
#   make bench    the benchmarks of bench/, rewriting bench/RESULTS.md
#   make fuzz     every libFuzzer target for FUZZ_SECONDS (600) each, with clang

CC       ?= cc
CFLAGS   ?= -O2 -g -Wall -Wextra -Werror
BUILD    := build
CACHE    ?= /var/cache/qemu-jitdump
PKGS     := libelf libdw libzstd capstone libunwind-generic
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
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

.PHONY: all deps qemu qemu-ref series-check tools demo check unit asan guests bench fuzz fuzz-build clean distclean
.DELETE_ON_ERROR:

all: tools qemu

deps:
	@scripts/deps.sh

PERF_SCRIPTS := $(BUILD)/bin/qemu-perf $(BUILD)/share/qemu-perf/tbstats-report.py \
                $(BUILD)/share/qemu-perf/tbstats_format.py

tools: $(BUILD)/lib/libqjd.a $(BUILD)/bin/tbsym $(PERF_SCRIPTS)

# qemu-perf finds tbsym and the patched QEMU next to itself, and the perf
# script in ../share/qemu-perf/.
$(BUILD)/bin/qemu-perf: perf-scripts/qemu-perf
	@mkdir -p $(@D)
	cp $< $@ && chmod +x $@

$(BUILD)/share/qemu-perf/%: perf-scripts/%
	@mkdir -p $(@D)
	cp $< $@

# --- the library and the symbolizer ---------------------------------------
$(BUILD)/obj/%.o: %.c $(wildcard lib/*.h) | deps-quiet
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -c $< -o $@

$(BUILD)/lib/libqjd.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/tbsym: $(TBSYM_OBJS) $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(TBSYM_OBJS) $(BUILD)/lib/libqjd.a $(PKG_LIBS) -lm -pthread

$(BUILD)/tests/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/lib/libqjd.a $(PKG_LIBS) -lm

# Fuzz targets are replayed over their saved corpus by a plain driver (no clang needed).
$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/lib/libqjd.a $(PKG_LIBS) -lm

# Tools for tests and benchmarks, built on the library like tbsym.
$(BUILD)/tests/synth-recording: tests/tools/synth-recording.c $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/lib/libqjd.a $(PKG_LIBS) -lm
$(BUILD)/tests/check-code: tests/tools/check-code.c $(BUILD)/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/lib/libqjd.a $(PKG_LIBS) -lm

# --- sanitizer build ---------------------------------------------------------
$(BUILD)/asan/obj/%.o: %.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) $(SAN) -MMD -c $< -o $@

$(BUILD)/asan/lib/libqjd.a: $(ASAN_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/asan/tests/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(BUILD)/asan/lib/libqjd.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/unit $(PKG_CFLAGS) $(CFLAGS) $(SAN) -o $@ $< $(BUILD)/asan/lib/libqjd.a $(PKG_LIBS) -lm

asan: $(ASAN_UNIT_BINS)

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

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/lib/libqjd.a
	$(FUZZ_CC) $(CPPFLAGS) $(PKG_CFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(BUILD)/fuzz/lib/libqjd.a $(PKG_LIBS) -lm

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
guests:
	@$(MAKE) -s -C tests/guests OUT=$(abspath $(BUILD))/guests

# --- the two commands -------------------------------------------------------------
demo: all guests
	@perf-scripts/demo.sh $(BUILD)

unit: $(UNIT_BINS) $(ASAN_UNIT_BINS) $(FUZZ_REPLAY) $(BUILD)/tests/synth-recording \
      $(BUILD)/tests/check-code

check: all guests unit
	@tests/run-tests.sh $(BUILD)

bench: all qemu-ref guests $(BUILD)/tests/synth-recording
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)/obj $(BUILD)/lib $(BUILD)/tests $(BUILD)/asan $(BUILD)/fuzz $(BUILD)/bin/tbsym $(BUILD)/guests

distclean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/asan/obj -name '*.d' 2>/dev/null)
