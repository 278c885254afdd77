# drydock: the one entry point.  `make help` lists the targets.

CC ?= cc
BUILD := build
PKGS := libarchive jansson lua5.4 nettle
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The drydock binary links libarchive and Lua statically: the linker then
# takes only the tar reader and the decompressors drydock uses, and not
# libarchive's other dependencies (libxml2, ICU, libstdc++), whose loading
# alone cost a third of a container's start.  See doc/performance.md.
BIN_LIBS = -Wl,--as-needed -Wl,-Bstatic -larchive -llua5.4 -Wl,-Bdynamic \
	$(shell pkg-config --static --libs-only-l libarchive | sed 's/-larchive//') \
	-lnettle -ljansson -lm -ldl

WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -Icore -I. $(PKG_CFLAGS)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
# `make V=1` prints whole command lines.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @echo "  $(1) $(2)"
endif

CORE_SRC := $(filter-out %_main.c,$(wildcard core/*.c))
CHAPTER_SRC := $(sort $(wildcard chapters/*/*.c))
LIB_SRC := $(CORE_SRC) $(CHAPTER_SRC)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SAN_OBJ := $(LIB_SRC:%.c=$(BUILD)/san/%.o)
HEADERS := $(wildcard core/*.h chapters/*/*.h)

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)

IMAGES := $(BUILD)/images/busybox.tar $(BUILD)/images/probe.tar
PREFIX ?= /usr/local
DRYDOCK := $(BUILD)/drydock
RUNNER := $(DRYDOCK) script scripts/lab/run.lua

.PHONY: all deps demo test unit check grade handout selfcheck bench install clean help
.DELETE_ON_ERROR:
.SECONDARY:

all: $(DRYDOCK) $(BUILD)/drydock.so $(BUILD)/ddprobe $(BUILD)/ddhandout $(IMAGES)

help:
	@echo "make deps                  install the Debian packages drydock needs"
	@echo "make                       build drydock, the probe and the built-in images"
	@echo "make demo                  a short tour of what a container is"
	@echo "make test                  every test: unit, scenario, lab self-check"
	@echo "make check LAB=NN          one lab's tests, then the earlier labs'"
	@echo "make grade                 all labs; results in $(BUILD)/grade/"
	@echo "make handout LAB=NN DEST=dir   a student tree for lab NN"
	@echo "make bench                 benchmarks against crun, runc, podman, tar"

deps:
	sh scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(BUILD)/san/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,CC,$< (sanitizers))
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -c $< -o $@

$(DRYDOCK): core/drydock_main.c $(LIB_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(BIN_LIBS)

# The Lua module for stock `lua5.4 -l drydock` (see doc/lua-api.md).
$(BUILD)/drydock.so: $(LIB_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -shared -o $@ $^ $(PKG_LIBS)

# The probe runs inside containers: static, so any image can hold it.
$(BUILD)/ddprobe: tests/probe/ddprobe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ $<

$(BUILD)/ddhandout: core/handout_main.c $(BUILD)/obj/core/markers.o $(BUILD)/obj/core/error.o \
		$(BUILD)/obj/core/util.o
	$(CC) $(ALL_CFLAGS) -o $@ $^

$(BUILD)/images/busybox.tar: scripts/build-image.sh
	@mkdir -p $(dir $@)
	sh scripts/build-image.sh busybox $@

$(BUILD)/images/probe.tar: scripts/build-image.sh $(BUILD)/ddprobe
	@mkdir -p $(dir $@)
	sh scripts/build-image.sh probe $@ $(BUILD)/ddprobe

$(BUILD)/tests/unit/%: tests/unit/%.c $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) -lcmocka

unit: $(UNIT_BIN)

demo: deps
	$(MAKE) all
	sh scripts/demo.sh

test: deps
	$(MAKE) all unit
	sh scripts/lab/test.sh

check: all unit
	@test -n "$(LAB)" || { echo "usage: make check LAB=NN" >&2; exit 2; }
	$(RUNNER) --lab $(LAB)

grade: all unit
	$(RUNNER) --all --out $(BUILD)/grade

handout: $(BUILD)/ddhandout
	@test -n "$(LAB)" -a -n "$(DEST)" || { echo "usage: make handout LAB=NN DEST=dir" >&2; exit 2; }
	sh scripts/lab/handout.sh $(LAB) $(DEST)

selfcheck: all unit
	sh scripts/lab/selfcheck.sh

bench: all
	sh scripts/install-deps.sh --bench
	sh tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/drydock/images
	install -m 755 $(DRYDOCK) $(DESTDIR)$(PREFIX)/bin/drydock
	install -m 644 $(IMAGES) $(DESTDIR)$(PREFIX)/share/drydock/images/

clean:
	rm -rf $(BUILD)
