# drydock: the one entry point.  `make help` lists the targets.

CC ?= cc
BUILD := build
PKGS := libarchive jansson lua5.4 nettle libseccomp libcap
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The drydock binary links libarchive and Lua statically: the linker then
# takes only the tar reader and the decompressors drydock uses, and not
# libarchive's other dependencies (libxml2, ICU, libstdc++), whose loading
# alone cost a third of a container's start.  See doc/performance.md.
BIN_LIBS = -Wl,--as-needed -Wl,-Bstatic -larchive -llua5.4 -lseccomp -lcap -Wl,-Bdynamic \
	$(shell pkg-config --static --libs-only-l libarchive | sed 's/-larchive//') \
	-lnettle -ljansson -lm -ldl

WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Werror
CFLAGS ?= -O2 -g
# -MMD -MP: each object records the headers it read, so a header change
# rebuilds exactly what includes it (build/**/*.d).
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -I. $(PKG_CFLAGS) -MMD -MP
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
# `make V=1` prints whole command lines.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @echo "  $(1) $(2)"
endif

# The layers (doc/architecture.md): libdrydock holds base, the chapters,
# the runtime, the image store and the engine; the front ends (CLI, Lua,
# lab tools) link it.  scripts/check-layers.sh keeps includes one way.
LIB_SRC := $(sort $(wildcard core/base/*.c chapters/*/*.c core/runtime/*.c \
	core/image/*.c core/engine/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SAN_OBJ := $(LIB_SRC:%.c=$(BUILD)/san/%.o)
LIB := $(BUILD)/libdrydock.a
# The unit tests link the sanitizer build as a shared library: after a
# one-line edit in a chapter only that object and the library are made
# again, and no test binary is relinked (doc/performance.md).
SAN_LIB := $(BUILD)/libdrydock-san.so
CLI_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard core/cli/*.c)))
LUA_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard core/lua/*.c)))
LAB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard core/lab/*.c)))
LAB_SAN_OBJ := $(BUILD)/san/core/lab/markers.o $(BUILD)/san/core/lab/mutant.o

# tests/hidden/unit/ holds an instructor's tests that handouts leave out
# (doc/instructor-guide.md); their binaries sit beside the others.
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
HIDDEN_SRC := $(sort $(wildcard tests/hidden/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%) \
	$(HIDDEN_SRC:tests/hidden/unit/%.c=$(BUILD)/tests/unit/%)

# What `make check LAB=NN` needs and nothing more: drydock, the probe
# image, and the unit tests of labs 01..NN (of NN alone with ONLY=1).
lab_of = $(shell echo $(notdir $(1)) | sed -n 's/^test_\([0-9][0-9]\)_.*/\1/p')
lab_wanted = $(if $(LAB),$(if $(ONLY),$(filter $(call num,$(LAB)),$(call num,$(1))),\
	$(shell [ "$(call num,$(1))" -le "$(call num,$(LAB))" ] 2>/dev/null && echo y)),y)
num = $(shell expr "$(1)" + 0 2>/dev/null)
LAB_UNIT_BIN = $(foreach b,$(UNIT_BIN),$(if $(call lab_of,$(b)),$(if $(strip $(call lab_wanted,$(call lab_of,$(b)))),$(b))))

IMAGES := $(BUILD)/images/busybox.tar $(BUILD)/images/probe.tar
PREFIX ?= /usr/local
DRYDOCK := $(BUILD)/drydock
RUNNER := $(DRYDOCK) script scripts/lab/run.lua

.PHONY: all deps demo test unit check lab-build grade handout selfcheck bench install clean help
.DELETE_ON_ERROR:
.SECONDARY:

all: $(DRYDOCK) $(BUILD)/drydock.so $(BUILD)/ddprobe $(BUILD)/ddhandout $(BUILD)/ddreap $(IMAGES)

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

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$< (sanitizers))
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -fPIC -c $< -o $@

# The built-in seccomp profile is assembled into the object (.incbin).
SECCOMP_PROFILE := chapters/16-security/default-seccomp.json
$(BUILD)/obj/chapters/16-security/seccomp_profile.o $(BUILD)/san/chapters/16-security/seccomp_profile.o: $(SECCOMP_PROFILE)

$(LIB): $(LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(SAN_LIB): $(SAN_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN) -shared -o $@ $^ $(PKG_LIBS)

$(DRYDOCK): $(CLI_OBJ) $(LUA_OBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(LUA_OBJ) $(LIB) $(BIN_LIBS)

# The Lua module for stock `lua5.4 -l drydock` (see doc/lua-api.md).
$(BUILD)/drydock.so: $(LUA_OBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -shared -o $@ $(LUA_OBJ) -Wl,--whole-archive $(LIB) \
		-Wl,--no-whole-archive $(PKG_LIBS)

# The probe runs inside containers: static, so any image can hold it.
$(BUILD)/ddprobe: tests/probe/ddprobe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ $<

# `make test` runs the suite under it: a subreaper that finds every
# process the suite leaves behind (tests/harness/ddreap.c).
$(BUILD)/ddreap: tests/harness/ddreap.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -std=gnu11 $(WARN) $(CFLAGS) -o $@ $<

$(BUILD)/ddhandout: $(LAB_OBJ) $(LIB)
	$(call say,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(LAB_OBJ) $(LIB) $(PKG_LIBS)

$(BUILD)/images/busybox.tar: scripts/build-image.sh
	@mkdir -p $(dir $@)
	sh scripts/build-image.sh busybox $@

$(BUILD)/images/probe.tar: scripts/build-image.sh $(BUILD)/ddprobe
	@mkdir -p $(dir $@)
	sh scripts/build-image.sh probe $@ $(BUILD)/ddprobe

# Only the marker tests need lab tooling; the rest link the library alone.
# The library is an order-only prerequisite: a test binary is relinked
# when its own source or a header it reads changes (its .d file), not
# when a chapter's .c does, since it finds the library at run time
# through its rpath.
$(BUILD)/tests/unit/test_core_markers $(BUILD)/tests/unit/test_core_mutant: $(LAB_SAN_OBJ)
UNIT_LINK = $(CC) $(ALL_CFLAGS) $(SAN) -o $@ $< $(filter %.o,$^) -L$(BUILD) \
	-l:libdrydock-san.so -Wl,-rpath,'$$ORIGIN/../..' $(PKG_LIBS) -lcmocka
$(BUILD)/tests/unit/%: tests/unit/%.c | $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(UNIT_LINK)
$(BUILD)/tests/unit/%: tests/hidden/unit/%.c | $(SAN_LIB)
	@mkdir -p $(dir $@)
	$(call say,LD,$@ (hidden))
	$(Q)$(UNIT_LINK)

unit: $(SAN_LIB) $(UNIT_BIN)

demo: deps
	$(MAKE) all
	sh scripts/demo.sh

test: deps
	$(MAKE) all unit
	sh scripts/lab/test.sh

# What the lab runner needs for LAB (every lab without one); run.lua
# asks `make -q lab-build` and rebuilds, so it never tests stale binaries.
lab-build: $(DRYDOCK) $(IMAGES) $(SAN_LIB) $(LAB_UNIT_BIN)

check:
	@test -n "$(LAB)" || { echo "usage: make check LAB=NN" >&2; exit 2; }
	@$(MAKE) -s --no-print-directory lab-build LAB=$(LAB)
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

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
