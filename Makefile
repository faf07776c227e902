# smelt — one non-recursive Makefile.
#
# pipeline/*/*.c  -> build/libsmelt.a (the library every stage and test links)
# pipeline/sim/*.c -> build/libsmelt-sim.a (the simulator, smelt-sim only)
# stages/NAME.c   -> bin/smelt-NAME
# tests/unit/test_*.c -> build/tests/test_* (cmocka)
#
# New files are picked up by wildcard: adding a stage or a module never
# needs an edit here.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
BINDIR  ?= bin

CC      ?= cc
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter -Werror
CFLAGS  ?= $(OPT)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SAN) -pthread -Ipipeline -D_GNU_SOURCE -MMD -MP
LDLIBS  := -lcurl -larchive -lzstd -ljansson -lxxhash -lmicrohttpd -lpcre2-8 -lutf8proc -lm
ALL_LDFLAGS = $(LDFLAGS) $(SAN) -pthread -Wl,--as-needed

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
UNIT_SUPPORT := $(sort $(wildcard tests/unit/support_*.c))
UNIT_SUPPORT_OBJ := $(UNIT_SUPPORT:%.c=$(BUILD)/%.o)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all check demo bench sanitize install clean deps unit fuzz
all: $(STAGE_BIN) $(UNIT_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(SIM_LIB): $(SIM_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BINDIR)/smelt-sim: $(BUILD)/stages/sim.o $(SIM_LIB) $(LIB)
	@mkdir -p $(BINDIR)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(SIM_LIB) $(LIB) $(LDLIBS)

$(BINDIR)/smelt-%: $(BUILD)/stages/%.o $(LIB)
	@mkdir -p $(BINDIR)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(UNIT_SUPPORT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(UNIT_SUPPORT_OBJ) $(LIB) -lcmocka $(LDLIBS)

# Missing Debian packages are installed (or the exact apt-get line printed).
deps:
	@sh scripts/install-deps

# The tests and examples run make themselves: they get a clean MAKEFLAGS.
check: deps
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

fuzz:
	@sh tests/fuzz/run.sh

install: $(STAGE_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/smelt
	install -m 755 $(STAGE_BIN) $(DESTDIR)$(PREFIX)/bin/
	cp -R prompts knowledge_tree schemas $(DESTDIR)$(PREFIX)/share/smelt/

clean:
	rm -rf $(BUILD) build-san $(BINDIR)

.SECONDARY: $(LIB_OBJ) $(SIM_OBJ) $(STAGE_SRC:%.c=$(BUILD)/%.o) $(UNIT_SRC:%.c=$(BUILD)/%.o) $(UNIT_SUPPORT_OBJ)
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
