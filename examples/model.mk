# examples/model.mk — settings every example that calls a model shares.
#
# LANG is also the locale variable of every shell: only a LANG given on the
# command line picks the language (L). Without ENDPOINT the example runs
# against a private smelt-sim (../with-sim.sh), which serves any model
# name; with ENDPOINT, MODEL must be given.
ifeq ($(origin LANG),command line)
L := $(LANG)
else
L := en
endif

ifeq ($(ENDPOINT),)
MODEL ?= smelt-sim
else ifeq ($(MODEL),)
$(error set MODEL=... for ENDPOINT=$(ENDPOINT))
endif
