# examples/sim.mk — what every example Makefile shares; each includes it
# after its own settings and before its rules:
#
#   TOP ?= ../..
#   SIM_OPTS ?= --step-error 0.1        # optional: smelt-sim options
#   SUMMARY = $(OUT)/prf.md             # optional: printed after the build
#   include $(TOP)/examples/sim.mk
#   build: ...                          # the example's outputs
#
# The rule: with ENDPOINT=URL (and MODEL=NAME) `make` builds against that
# server; without it, `make` starts a private smelt-sim on a free port
# (with-sim.sh), builds against it, and stops it — and starts nothing when
# the outputs are up to date. An example that calls no model sets
# CALLS_MODEL := no and `make` just builds.
#
# Also here: BIN, OUT, `clean`, and L, the language: LANG is also the
# locale variable of every shell, so only a LANG given on the command line
# picks it (`make LANG=zh`).
BIN      ?= $(TOP)/bin
OUT      ?= out
ENDPOINT ?=
SIM_OPTS ?=
CALLS_MODEL ?= yes
EXAMPLE  := examples/$(notdir $(CURDIR))

ifeq ($(origin LANG),command line)
L := $(LANG)
else
L := en
endif

ifeq ($(CALLS_MODEL),yes)
ifeq ($(ENDPOINT),)
MODEL ?= smelt-sim
else ifeq ($(MODEL),)
$(error set MODEL=... for ENDPOINT=$(ENDPOINT))
endif
endif

.DEFAULT_GOAL := all
.PHONY: all build clean
.DELETE_ON_ERROR:

# With a SUMMARY, stdout carries only that file: the build talks on stderr.
to_log := $(if $(SUMMARY),>&2)

ifeq ($(CALLS_MODEL),yes)
all:
	@if [ -n "$(ENDPOINT)" ]; then \
		$(MAKE) --no-print-directory build $(to_log); \
	elif $(MAKE) --no-print-directory -q build 2>/dev/null; then \
		echo "$(EXAMPLE): $(OUT)/ is up to date" $(to_log); \
	else \
		sh $(TOP)/examples/with-sim.sh "$(BIN)" "$(OUT)" "$(MODEL)" "$(SIM_OPTS)" \
		  $(MAKE) --no-print-directory build $(to_log); \
	fi
	$(if $(SUMMARY),@cat $(SUMMARY))
else
all: build
endif

clean:
	rm -rf $(OUT)
