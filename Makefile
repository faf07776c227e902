# smelt — one non-recursive Makefile.
#
# pipeline/*/*.c   -> build/libsmelt.a (the library every stage and test links)
# pipeline/sim/*.c -> build/libsmelt-sim.a (the simulator, smelt-sim only)
# stages/NAME.c    -> bin/smelt-NAME
# tests/unit/test_*.c -> build/tests/test_* (cmocka), each linked with every
#                     tests/unit/support_*.c
#
# New files are picked up by wildcard: adding a stage or a module never
# needs an edit here. `make DEVELOPER=1` (what CI builds with) turns
# warnings into errors; a plain `make` only prints them, so a newer compiler
# with new warnings never breaks a user's build (git's convention).

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
BINDIR  ?= bin

CC      ?= cc
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN    += -Werror
endif
CFLAGS  ?= $(OPT)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SAN) -pthread -Ipipeline -D_GNU_SOURCE -MMD -MP \
	$(LIB_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN) -pthread -Wl,--as-needed

# Libraries come from pkg-config (flags and names); only libbz2 and libm,
# which ship no .pc file, are named directly (PLAIN_LIBS). Each binary links what it
# needs: the stages the library's packages; smelt-sim also libmicrohttpd
# (the only bin/ link line with it); the unit tests also cmocka and
# libmicrohttpd (their loopback servers). pkg-config runs once, and only
# when a recipe needs its answer, so `make clean` and `make deps` work
# before the packages are installed.
PKG_CONFIG ?= pkg-config
LIB_PKGS   := libcurl libarchive libzstd zlib liblzma jansson libxxhash libpcre2-8 libutf8proc snappy libbrotlidec liblz4
SIM_PKGS   := libmicrohttpd
UNIT_PKGS  := cmocka libmicrohttpd
PLAIN_LIBS := -lbz2 -lm
# $(call pkg,VAR,--cflags|--libs,PACKAGES): VAR becomes pkg-config's answer
# the first time it is expanded.
pkg = $(eval $(1) := $$(shell $(PKG_CONFIG) $(2) $(3)))$($(1))
LIB_CFLAGS  = $(call pkg,LIB_CFLAGS,--cflags,$(LIB_PKGS))
LIB_LIBS    = $(call pkg,LIB_LIBS,--libs,$(LIB_PKGS))
SIM_CFLAGS  = $(call pkg,SIM_CFLAGS,--cflags,$(SIM_PKGS))
SIM_LIBS    = $(call pkg,SIM_LIBS,--libs,$(SIM_PKGS))
UNIT_CFLAGS = $(call pkg,UNIT_CFLAGS,--cflags,$(UNIT_PKGS))
UNIT_LIBS   = $(call pkg,UNIT_LIBS,--libs,$(UNIT_PKGS))

LIB_SRC   := $(sort $(filter-out pipeline/sim/%,$(wildcard pipeline/*/*.c)))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libsmelt.a
SIM_SRC   := $(sort $(wildcard pipeline/sim/*.c))
SIM_OBJ   := $(SIM_SRC:%.c=$(BUILD)/%.o)
SIM_LIB   := $(BUILD)/libsmelt-sim.a
STAGE_SRC := $(sort $(wildcard stages/*.c))
STAGE_BIN := $(STAGE_SRC:stages/%.c=$(BINDIR)/smelt-%)
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SUPPORT_SRC := $(sort $(wildcard tests/unit/support_*.c))
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(BUILD)/%.o)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all check check-layers demo bench soak sanitize install clean deps unit fuzz \
	print-lib-cflags print-lib-libs
all: $(STAGE_BIN) $(UNIT_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The simulator's and the unit tests' objects see their packages' flags.
$(SIM_OBJ) $(BUILD)/stages/sim.o: ALL_CFLAGS += $(SIM_CFLAGS)
$(UNIT_SRC:%.c=$(BUILD)/%.o) $(SUPPORT_OBJ): ALL_CFLAGS += $(UNIT_CFLAGS)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SIM_LIB): $(SIM_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BINDIR)/smelt-sim: $(BUILD)/stages/sim.o $(SIM_LIB) $(LIB)
	@mkdir -p $(BINDIR)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(SIM_LIB) $(LIB) $(SIM_LIBS) $(LIB_LIBS) $(PLAIN_LIBS) $(LDLIBS)

$(BINDIR)/smelt-%: $(BUILD)/stages/%.o $(LIB)
	@mkdir -p $(BINDIR)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIB_LIBS) $(PLAIN_LIBS) $(LDLIBS)

$(UNIT_BIN): $(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(SUPPORT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(LIB) $(UNIT_LIBS) $(LIB_LIBS) $(PLAIN_LIBS) $(LDLIBS)

# The library's compile flags and link libraries, for builds outside this
# Makefile (tests/fuzz/run.sh), so the list is kept here only.
print-lib-cflags:
	@echo $(LIB_CFLAGS)
print-lib-libs:
	@echo $(LIB_LIBS) $(PLAIN_LIBS)

# Missing Debian packages are installed (or the exact apt-get line printed).
deps:
	@sh scripts/install-deps

# The include order of pipeline/ (pipeline/README.md); `make check` runs it
# before building, so a layering slip fails fast.
check-layers:
	@sh scripts/check-layers

# The tests and examples run make themselves: they get a clean MAKEFLAGS.
check: deps check-layers
	@$(MAKE) --no-print-directory all
	@MAKEFLAGS= sh tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@MAKEFLAGS= sh examples/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh

# The whole suite under ASan + UBSan, in a separate build tree.
sanitize: deps
	@$(MAKE) --no-print-directory BUILD=build-san BINDIR=build-san/bin \
	  OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all
	@SMELT_BIN=build-san/bin SMELT_UNIT=build-san/tests SMELT_SANITIZE=1 \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 MAKEFLAGS= sh tests/run.sh

# The long soak: 200,000 records through cat | gen | score | filter with
# every fault on, interrupted by SIGTERM and kill -9, rerun; prints figures.
SOAK_RECORDS ?= 200000
soak: deps
	@$(MAKE) --no-print-directory all
	@rm -rf $(BUILD)/soak
	@PATH="$(CURDIR)/$(BINDIR):$$PATH" bash tests/soak/soak.sh $(SOAK_RECORDS) $(BUILD)/soak

fuzz:
	@sh tests/fuzz/run.sh

install: $(STAGE_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/smelt
	install -m 755 $(STAGE_BIN) $(DESTDIR)$(PREFIX)/bin/
	cp -R prompts knowledge_tree schemas $(DESTDIR)$(PREFIX)/share/smelt/

clean:
	rm -rf $(BUILD) build-san $(BINDIR)

.SECONDARY: $(LIB_OBJ) $(SIM_OBJ) $(STAGE_SRC:%.c=$(BUILD)/%.o) $(UNIT_SRC:%.c=$(BUILD)/%.o) $(SUPPORT_OBJ)
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
