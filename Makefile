# SPDX-License-Identifier: GPL-2.0
#
# struct_ops for Linux 6.1 LTS: the driver.
#
#   make run     build the release kernel, boot it, run the demo
#   make check   build the debug kernel and the selftests, boot, run them
#   make bench   the cost of a struct_ops callback and of its lifecycle,
#                ours beside the stock 6.1 kernel
#   make help    every target, with examples
#
# Each step is a target; build products live under build/ (gitignored) and
# each step redoes only what changed since the last run.

SHELL		:= /bin/bash
.SHELLFLAGS	:= -eu -o pipefail -c
.DELETE_ON_ERROR:

REPO		:= $(CURDIR)
BUILD		:= $(REPO)/build
LINUX		:= $(BUILD)/linux
TARBALL		:= /usr/src/linux-source-6.1.tar.xz
TARBALL_612	:= /usr/src/linux-source-6.12.tar.xz
JOBS		?= $(shell nproc)
VM_TIMEOUT	?= 900

# The base-tree files we replace with our own writing.  Each must exist in
# this repo: the tree step fails otherwise.  "-FILE": a base file we remove
# (the list of built-in types: each subsystem registers its own), which
# must not.
OWNED := kernel/bpf/bpf_struct_ops.c -kernel/bpf/bpf_struct_ops_types.h \
	 net/ipv4/bpf_tcp_ca.c net/bpf/bpf_dummy_struct_ops.c

# Debian packages the build, the VM and the tests need.
PACKAGES := linux-source-6.1 linux-source-6.12 gcc make flex bison bc libelf-dev libssl-dev \
	dwarves clang-16 llvm-16 lld-16 libbpf-dev bpftool qemu-system-x86 \
	busybox-static iproute2 iperf3 ccache xz-utils kmod cpio rsync \
	pkg-config zlib1g-dev libcap-dev python3 git gnuplot-nox \
	dpkg-dev fakeroot linux-config-6.1

# Looked up each time a recipe uses it, not when make starts: on a new
# machine, make deps installs ccache in the same run, and a kernel built
# without it would be built again by the next run, whose CC differs.
CCACHE		 = $(shell command -v ccache 2>/dev/null)
KCC		 = $(if $(CCACHE),ccache gcc,gcc)
KTOOLCHAIN	 = CC="$(KCC)"
# The kCFI kernel's compiler: clang-16 with LLVM=-16's tools, spelled
# alike for the kernel and its modules.
KCC_CLANG	 = $(if $(CCACHE),ccache clang-16,clang-16)
# ccache keyed on paths relative to the repo, so a fresh clone elsewhere
# (CI) still hits the cache of an earlier build.
# $(call KBUILD_IN,TREE,OUT,NAME): bzImage of TREE in OUT, the log in
# OUT.log with kbuild's short lines ("  CC ..."), which driver/progress.sh
# counts to print a line every 30 s against the last full build's count.
# PAHOLE_FLAGS: the tree's own, less -j: pahole 1.24 encodes BTF in
# parallel in an order that differs from run to run, and vmlinux.h with
# it, which rebuilt every BPF object after any kernel rebuild.  One thread
# gives the same BTF for the same types (1 s more per link here).
KBUILD_IN	 = driver/progress.sh kernel "build/$(3)" $(2).log $(2).steps \
		   env CCACHE_BASEDIR=$(REPO) CCACHE_NOHASHDIR=1 \
		   $(MAKE) -C $(1) O=$(2) ARCH=x86_64 $(KTOOLCHAIN) -j$(JOBS) \
		   PAHOLE_FLAGS="$(call PAHOLE_REPRO,$(1))" bzImage
PAHOLE_REPRO	 = $(filter-out -j,$(shell PAHOLE=pahole $(1)/scripts/pahole-flags.sh))

msg = @printf '[%s] %s\n' $(1) $(2)

.PHONY: help deps tree config kernel kernel-debug kernel-cfi libbpf15 selftests tcp_ca check run shell bench stress deb \
	series series-check lint configs-check clean clean-tree FORCE

help:
	@echo 'struct_ops for Linux 6.1 LTS'
	@echo
	@echo '  make run            release kernel + demo in the VM (the main job)'
	@echo '  make check          debug kernel + selftests in the VM; ends "N passed, N failed, N skipped"'
	@echo '  make bench          callback cost (instructions, QEMU -icount) and lifecycle latency,'
	@echo '                      stock 6.1 beside ours: table, CSV and chart in build/bench/'
	@echo '  make stress         debug kernel under load, faults, fuzzing and memory limits (st_stress,'
	@echo '                      2 vCPUs): concurrency, fault injection, value fuzzer, memcg, cycles'
	@echo '  make shell          interactive shell in the VM (host root read-only)'
	@echo
	@echo 'Steps (each runs the ones before it as needed):'
	@echo '  deps                apt-get install whatever of our packages is missing'
	@echo '  tree                build/linux: base tree + our overlay + patches/series, as git commits'
	@echo '  config              build/kernel{,-debug}/.config from tinyconfig + configs/*.config'
	@echo '  kernel              release kernel: bzImage + vmlinux in build/kernel'
	@echo '  kernel-debug        debug kernel (KASAN, lockdep, kmemleak) in build/kernel-debug'
	@echo '  kernel-cfi          release kernel built by clang-16 with kCFI, in build/kernel-cfi'
	@echo '  libbpf15            libbpf 1.5 + bpftool 7.5 from linux-source-6.12, in build/tools-6.12'
	@echo '  selftests           pruned test_progs with our tests and the struct_ops ones'
	@echo '  tcp_ca              tools/bpf/tcp_ca: the loader and our BPF CCs, in build/tcp_ca'
	@echo '  deb                 Debian packages of our kernel in build/deb/: DEB_CONFIG=debian (default:'
	@echo '                      a distribution config) or guest (the VM config; booted and checked)'
	@echo '  series              export our change as patches in build/series/'
	@echo '  series-check        git am build/series/ onto a fresh base tree, build it, and compile'
	@echo '                      the series'"'"' files at each of its prefixes (SERIES_PREFIXES=0: not)'
	@echo '  lint                checkpatch --strict on every C file and patch of ours (in check too)'
	@echo '  configs-check       our files and the files our patches touch, compiled under Debian'"'"'s'
	@echo '                      config, PREEMPT, no modules, no JIT, no INET, IBT, clang kCFI, ...:'
	@echo '                      one line per config (CONFIGS="debian ibt": these; make check runs'
	@echo '                      debian in CI)'
	@echo '  clean               remove build/ except the extracted tree; clean-tree removes it too'
	@echo
	@echo 'Examples:'
	@echo '  make check T=struct_ops_map        run only this test_progs test (T=a,b: these;'
	@echo '                                     also TESTS=); no lint, harness or bench then'
	@echo '  make run LOSS=1% SECS=20               demo settings: SECS RATE DELAY LOSS QUEUE RUNS SWAPS'
	@echo '  make shell KERNEL=debug               shell on the debug kernel'
	@echo '  make bench BENCH_N=100 BENCH_STOCK=0  short bench: 100 ops per figure, ours only'
	@echo '  make stress STRESS_SECS=600 FUZZ_N=1000000 FUZZ_SEED=42  a longer stress, a given seed'
	@echo '            (also BENCH_CALLS, BENCH_ROUNDS: calls per member per round, rounds)'
	@echo '  VM_ACCEL=kvm make check               use KVM (opt-in; hangs on our machines)'

# ---------------------------------------------------------------- deps
deps: $(BUILD)/.deps

$(BUILD)/.deps: Makefile
	@mkdir -p $(BUILD)
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "[deps] installing:" $$missing; \
		[ "$$(id -u)" = 0 ] && sudo= || sudo=sudo; \
		$$sudo apt-get update -q >/dev/null || { echo "[deps] error: apt-get update failed" >&2; exit 1; }; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing \
			>$(BUILD)/deps.log 2>&1 || { tail -n 20 $(BUILD)/deps.log >&2; \
			echo "[deps] error: apt-get install failed for: $$missing (log: build/deps.log)" >&2; exit 1; }; \
	else \
		echo "[deps] all $(words $(PACKAGES)) packages present"; \
	fi
	@touch $@

# ---------------------------------------------------------------- tree
# tree.rev holds the tree's commit id and changes only when the tree does.
tree: $(BUILD)/tree.rev

$(BUILD)/tree.rev: FORCE | $(BUILD)/.deps
	@$(REPO)/driver/tree.sh $(REPO) $(LINUX) $(TARBALL) $@ $(OWNED)

clean-tree:
	rm -rf $(LINUX) $(BUILD)/tree.rev $(STOCK)/linux

# ---------------------------------------------------------------- config
FRAGMENTS_release := configs/struct_ops.config configs/guest.config configs/hardening.config
FRAGMENTS_debug   := $(FRAGMENTS_release) configs/debug.config
FRAGMENTS_cfi     := $(FRAGMENTS_release) configs/cfi.config

config: $(BUILD)/kernel/.config $(BUILD)/kernel-debug/.config

$(BUILD)/kernel/.config: $(FRAGMENTS_release) driver/config.sh | $(BUILD)/tree.rev
	$(call msg,config,"build/kernel: tinyconfig + $(FRAGMENTS_release)")
	@driver/config.sh $(LINUX) $(@D) $(FRAGMENTS_release)

$(BUILD)/kernel-debug/.config: $(FRAGMENTS_debug) driver/config.sh | $(BUILD)/tree.rev
	$(call msg,config,"build/kernel-debug: tinyconfig + $(FRAGMENTS_debug)")
	@driver/config.sh $(LINUX) $(@D) $(FRAGMENTS_debug)

$(BUILD)/kernel-cfi/.config: $(FRAGMENTS_cfi) driver/config.sh | $(BUILD)/tree.rev
	$(call msg,config,"build/kernel-cfi: tinyconfig + $(FRAGMENTS_cfi) for clang-16")
	@driver/config.sh $(LINUX) $(@D) --llvm -16 $(FRAGMENTS_cfi)

# ---------------------------------------------------------------- kernel
kernel: $(BUILD)/kernel/.built
kernel-debug: $(BUILD)/kernel-debug/.built
kernel-cfi: $(BUILD)/kernel-cfi/.built

$(BUILD)/kernel-cfi/.built: KTOOLCHAIN = LLVM=-16 CC="$(KCC_CLANG)"

$(BUILD)/%/.built: $(BUILD)/%/.config $(BUILD)/tree.rev
	$(call msg,kernel,"building build/$* (-j$(JOBS)$(if $(CCACHE),$(comma) ccache)); log: build/$*.log")
	@start=$$(date +%s); \
	$(call KBUILD_IN,$(LINUX),$(BUILD)/$*,$*) || { \
		grep -E 'error|Error' $(BUILD)/$*.log | head -n 20 >&2; \
		echo "[kernel] error: build/$* failed to build (log: build/$*.log)" >&2; exit 1; }; \
	echo "[kernel] build/$* built in $$(( $$(date +%s) - start )) s"
	@touch $@

comma := ,

# ---------------------------------------------------------------- libbpf 1.5
# libbpf 1.5 and bpftool 7.5, from linux-source-6.12's tools/: what BPF
# developers use today, and what links .struct_ops.link maps.  Debian's
# libbpf 1.1.2 and bpftool 7.1 stay the system's.  Built once.
TOOLS612	:= $(BUILD)/tools-6.12
LIBBPF15	:= $(TOOLS612)/libbpf
BPFTOOL75	:= $(TOOLS612)/bpftool/bpftool

libbpf15: $(TOOLS612)/.built

$(TOOLS612)/.built: driver/tools612.sh | $(BUILD)/.deps
	@driver/tools612.sh $(TARBALL_612) $(TOOLS612)
	@touch $@

# tcp_ca's link-mode build: on libbpf 1.5, its CCs .struct_ops.link maps.
TCP_CA_LINK_ARGS = LIBBPF_DIR=$(LIBBPF15) UAPI_DIR=$(TOOLS612)/src/tools/include/uapi \
		   BPFTOOL=$(BPFTOOL75)

# ---------------------------------------------------------------- selftests
SELFTESTS := $(BUILD)/selftests

selftests: $(SELFTESTS)/.built

$(SELFTESTS)/.built: $(BUILD)/kernel-debug/.built $(TOOLS612)/.built driver/selftests.mk FORCE
	@$(MAKE) -s -f $(REPO)/driver/selftests.mk LINUX=$(LINUX) \
		OUT=$(SELFTESTS) VMLINUX=$(BUILD)/kernel-debug/vmlinux -j$(JOBS)
	@# tcp_ca too, both builds, for its own test (prog_tests/tcp_ca_tool.c)
	@$(MAKE) -s -C $(REPO)/tools/bpf/tcp_ca OUTPUT=$(SELFTESTS)/tcp_ca/ \
		VMLINUX_BTF=$(BUILD)/kernel-debug/vmlinux CLANG=clang-16
	@$(MAKE) -s -C $(REPO)/tools/bpf/tcp_ca OUTPUT=$(SELFTESTS)/tcp_ca_link/ \
		VMLINUX_BTF=$(BUILD)/kernel-debug/vmlinux CLANG=clang-16 $(TCP_CA_LINK_ARGS)
	@# and bpftool 7.5, which tcp_ca_tool registers a .struct_ops.link object with
	@cp -p $(BPFTOOL75) $(SELFTESTS)/tcp_ca_link/bpftool
	@# st_bench and its module for the debug kernel: make check's short bench
	@$(ST_BENCH_MAKE) OUTPUT=$(SELFTESTS)/st_bench/ VMLINUX_BTF=$(BUILD)/kernel-debug/vmlinux
	@$(ST_BENCH_MAKE) module KSRC=$(LINUX) KOBJ=$(BUILD)/kernel-debug \
		MOD_OUT=$(SELFTESTS)/st_bench_mod
	@# st_modops and its module: a module-defined type (prog_tests/struct_ops_module.c)
	@$(ST_MODOPS_MAKE) OUTPUT=$(SELFTESTS)/st_modops/ VMLINUX_BTF=$(BUILD)/kernel-debug/vmlinux
	@$(ST_MODOPS_MAKE) module KSRC=$(LINUX) KOBJ=$(BUILD)/kernel-debug \
		MOD_OUT=$(SELFTESTS)/st_modops_mod
	@# st_stress: make stress, and its short form (prog_tests/struct_ops_stress.c)
	@$(MAKE) -s -C $(REPO)/tools/testing/selftests/bpf/st_stress CLANG=clang-16 \
		LIBBPF_DIR=$(LIBBPF15) UAPI_DIR=$(TOOLS612)/src/tools/include/uapi \
		BPFTOOL=$(BPFTOOL75) OUTPUT=$(SELFTESTS)/st_stress/ \
		VMLINUX_BTF=$(BUILD)/kernel-debug/vmlinux
	@touch $@

# st_bench (tools/testing/selftests/bpf/st_bench): the tool, on libbpf 1.5,
# and its module, built against a given kernel.
ST_BENCH_MAKE = $(MAKE) -s -C $(REPO)/tools/testing/selftests/bpf/st_bench CLANG=clang-16 \
		LIBBPF_DIR=$(LIBBPF15) UAPI_DIR=$(TOOLS612)/src/tools/include/uapi \
		BPFTOOL=$(BPFTOOL75) KCC="$(KCC)"

# st_modops (tools/testing/selftests/bpf/st_modops): the same, for a
# struct_ops type that a module defines.
ST_MODOPS_MAKE = $(MAKE) -s -C $(REPO)/tools/testing/selftests/bpf/st_modops CLANG=clang-16 \
		LIBBPF_DIR=$(LIBBPF15) UAPI_DIR=$(TOOLS612)/src/tools/include/uapi \
		BPFTOOL=$(BPFTOOL75) KCC="$(KCC)"

# ---------------------------------------------------------------- check, run
VM := $(REPO)/tools/testing/vm/run

# make check's kCFI lane: these tests again, under build/kernel-cfi, from
# build/selftests-cfi: build/selftests' files, but st_modops_mod built
# against that kernel.  In a full run, or where TESTS names one of them;
# CHECK_KCFI=0: never.
KCFI_TESTS	:= struct_ops_tcp_ca struct_ops_link struct_ops_module
KCFI_SELFTESTS	:= $(BUILD)/selftests-cfi
KCFI_LANE	 = $(if $(filter 0,$(CHECK_KCFI)),,$(if $(TESTS),$(filter $(KCFI_TESTS),$(subst $(comma), ,$(TESTS))),$(KCFI_TESTS)))

$(KCFI_SELFTESTS)/.built: $(SELFTESTS)/.built $(BUILD)/kernel-cfi/.built
	@$(ST_MODOPS_MAKE) module KSRC=$(LINUX) KOBJ=$(BUILD)/kernel-cfi \
		MOD_OUT=$(KCFI_SELFTESTS)/st_modops_mod KCC="$(KCC_CLANG)" KLLVM=-16
	@for f in $(SELFTESTS)/*; do \
		[ "$${f##*/}" = st_modops_mod ] || ln -sfn "$$f" $(KCFI_SELFTESTS)/; \
	done
	@touch $@

# make check T=name[,name]: the same as TESTS=
TESTS ?= $(T)
check: $(SELFTESTS)/.built $(if $(KCFI_LANE),$(KCFI_SELFTESTS)/.built)
	@VM_TIMEOUT=$(VM_TIMEOUT) KCFI_TESTS="$(KCFI_LANE)" driver/check.sh $(BUILD) \
		$(BUILD)/kernel-debug $(SELFTESTS) "$(TESTS)"

# tcp_ca and our BPF congestion controls against the release kernel's
# BTF: the link-mode build (libbpf 1.5), which the demo runs, and the
# map-mode one (Debian's libbpf 1.1.2) in build/tcp_ca-map.
TCP_CA := $(BUILD)/tcp_ca
TCP_CA_MAKE = $(MAKE) -s -C $(REPO)/tools/bpf/tcp_ca \
	      VMLINUX_BTF=$(BUILD)/kernel/vmlinux CLANG=clang-16

# The demo's settings, passed on when given: make run LOSS=1% SECS=20
DEMO_VARS := SECS RATE DELAY LOSS QUEUE RUNS SWAPS
DEMO_ARGS  = $(foreach v,$(DEMO_VARS),$(if $(value $(v)),'$(v)=$($(v))'))

tcp_ca: $(BUILD)/kernel/.built $(TOOLS612)/.built
	$(call msg,tcp_ca,"building tcp_ca and st_cubic st_dctcp st_aimd in build/tcp_ca (links) and build/tcp_ca-map")
	@$(TCP_CA_MAKE) OUTPUT=$(TCP_CA)/ $(TCP_CA_LINK_ARGS)
	@$(TCP_CA_MAKE) OUTPUT=$(TCP_CA)-map/

RUN_CHART_TITLE = make run: cwnd of each transfer, netem $(or $(RATE),50mbit), $(or $(DELAY),10ms) \
		  each way, loss $(or $(LOSS),0.2%), queue $(or $(QUEUE),100) packets

run: tcp_ca
	$(call msg,run,"booting build/kernel with quiet (console: build/run.console)")
	@$(VM) --kernel $(BUILD)/kernel/arch/x86/boot/bzImage --log $(BUILD)/run.console \
		--append quiet --timeout $(VM_TIMEOUT) -- $(REPO)/driver/demo.sh $(TCP_CA) \
		BPFTOOL=$(BPFTOOL75) OUT=$(BUILD)/run $(DEMO_ARGS)
	@driver/cwnd-chart.sh $(BUILD)/run "$(RUN_CHART_TITLE)"

KERNEL ?= release
shell: $(if $(filter debug,$(KERNEL)),$(BUILD)/kernel-debug/.built,$(BUILD)/kernel/.built)
	@$(VM) --interactive --kernel $(BUILD)/$(if $(filter debug,$(KERNEL)),kernel-debug,kernel)/arch/x86/boot/bzImage \
		--log $(BUILD)/shell.console -- /bin/sh

# ---------------------------------------------------------------- bench
# The stock kernel: the base tree as Debian ships it, its own struct_ops
# files, our config fragments; built once, in build/stock/kernel beside
# build/stock/linux as build/kernel is beside build/linux, so that ccache
# (keyed on paths relative to the repo) serves what the two trees share.
BENCH		:= $(BUILD)/bench
STOCK		:= $(BUILD)/stock
BENCH_N		?= 1000
BENCH_CALLS	?= 100000
BENCH_ROUNDS	?= 3
BENCH_STOCK	?= 1
BENCH_KERNELS	 = $(if $(filter 1,$(BENCH_STOCK)),stock=$(STOCK)/kernel/arch/x86/boot/bzImage=$(BENCH)/mod-stock/st_bench_mod.ko) \
		   ours=$(BUILD)/kernel/arch/x86/boot/bzImage=$(BENCH)/mod-ours/st_bench_mod.ko

$(STOCK)/linux/.extracted: | $(BUILD)/.deps
	$(call msg,stock,"extracting the base tree into build/stock/linux")
	@rm -rf $(@D) && mkdir -p $(@D)
	@tar -xf $(TARBALL) -C $(@D) --strip-components=1
	@touch $@

$(STOCK)/kernel/.config: $(FRAGMENTS_release) driver/config.sh | $(STOCK)/linux/.extracted
	$(call msg,config,"build/stock/kernel: tinyconfig + $(FRAGMENTS_release)")
	@driver/config.sh $(STOCK)/linux $(@D) $(FRAGMENTS_release)

$(STOCK)/kernel/.built: $(STOCK)/kernel/.config
	$(call msg,kernel,"building build/stock/kernel (the stock 6.1 kernel); log: build/stock/kernel.log")
	@start=$$(date +%s); \
	$(call KBUILD_IN,$(STOCK)/linux,$(STOCK)/kernel,stock/kernel) || { \
		grep -E 'error|Error' $(STOCK)/kernel.log | head -n 20 >&2; \
		echo "[kernel] error: build/stock/kernel failed to build (log: build/stock/kernel.log)" >&2; exit 1; }; \
	echo "[kernel] build/stock/kernel built in $$(( $$(date +%s) - start )) s"
	@touch $@

bench: $(BUILD)/kernel/.built $(TOOLS612)/.built $(if $(filter 1,$(BENCH_STOCK)),$(STOCK)/kernel/.built)
	@$(ST_BENCH_MAKE) OUTPUT=$(BENCH)/tool/ VMLINUX_BTF=$(BUILD)/kernel/vmlinux
	@$(ST_BENCH_MAKE) module KSRC=$(LINUX) KOBJ=$(BUILD)/kernel MOD_OUT=$(BENCH)/mod-ours
	@$(if $(filter 1,$(BENCH_STOCK)),$(ST_BENCH_MAKE) module KSRC=$(STOCK)/linux \
		KOBJ=$(STOCK)/kernel MOD_OUT=$(BENCH)/mod-stock)
	@driver/bench.sh $(BENCH) $(BENCH)/tool $(BENCH_CALLS) $(BENCH_ROUNDS) $(BENCH_N) \
		$(BENCH_KERNELS)

# ---------------------------------------------------------------- stress
# make stress: st_stress's long form under the debug kernel, one VM of 2
# vCPUs: STRESS_SECS of concurrency, every operation's fault points,
# FUZZ_N fuzzed updates (FUZZ_SEED: a run to repeat), the memcg limit,
# 10,000 control-plane cycles.
STRESS_SECS	?= 60
FUZZ_N		?= 100000
FUZZ_SEED	?=

stress: $(SELFTESTS)/.built
	@VM_TIMEOUT=$(if $(filter command line environment,$(origin VM_TIMEOUT)),$(VM_TIMEOUT),5400) \
		driver/stress.sh $(BUILD)/kernel-debug $(SELFTESTS)/st_stress/st_stress \
		$(BUILD)/stress $(STRESS_SECS) $(FUZZ_N) $(FUZZ_SEED)

# ---------------------------------------------------------------- deb
# make deb: Debian packages of our kernel (bindeb-pkg) in build/deb/CONFIG/:
# DEB_CONFIG=debian (default) a distribution config, the running 6.1
# kernel's or Debian's, with configs/struct_ops.config; DEB_CONFIG=guest
# the VM's, whose packaged kernel is then booted in the VM and shown to
# run our struct_ops (driver/guest-deb.sh).
DEB_CONFIG	?= debian
DEB_LOCALVERSION ?= -struct-ops
DEB_OUT		 = $(BUILD)/deb/$(DEB_CONFIG)

deb: $(BUILD)/tree.rev $(if $(filter guest,$(DEB_CONFIG)),tcp_ca)
	@env CCACHE_BASEDIR=$(REPO) CCACHE_NOHASHDIR=1 driver/deb.sh $(REPO) $(LINUX) \
		$(BUILD)/deb-$(DEB_CONFIG) $(DEB_OUT) $(DEB_CONFIG) $(DEB_LOCALVERSION) \
		CC="$(KCC)" -j$(JOBS) PAHOLE_FLAGS="$(call PAHOLE_REPRO,$(LINUX))"
ifeq ($(DEB_CONFIG),guest)
	$(call msg,deb,"booting the packaged kernel (console: $(DEB_OUT)/boot.console)")
	@rm -rf $(DEB_OUT)/root && dpkg-deb -x $(DEB_OUT)/linux-image-$$(cat $(DEB_OUT)/release)_*.deb \
		$(DEB_OUT)/root
	@$(VM) --kernel $(DEB_OUT)/root/boot/vmlinuz-$$(cat $(DEB_OUT)/release) \
		--log $(DEB_OUT)/boot.console --append quiet --timeout 300 -- \
		$(REPO)/driver/guest-deb.sh $$(cat $(DEB_OUT)/release) $(TCP_CA) $(BPFTOOL75)
endif

# ---------------------------------------------------------------- series
series: $(BUILD)/tree.rev
	$(call msg,series,"exporting base..main of build/linux to build/series/")
	@driver/series.sh $(LINUX) $(BUILD)/series $(REPO)/patches/cover-letter

# checkpatch --strict on every C file and patch of ours (also in make check)
lint: $(BUILD)/tree.rev
	@driver/lint.sh $(REPO) $(LINUX)/scripts/checkpatch.pl

# Our change compiled (not linked) under the configs a user or a
# maintainer will try; driver/configs-check.sh lists them.
CONFIGS ?=
configs-check: $(BUILD)/tree.rev
	@driver/configs-check.sh $(REPO) $(LINUX) $(BUILD)/configs $(CONFIGS)

series-check: series
	@driver/series-check.sh $(TARBALL) $(BUILD)/series-check $(BUILD)/series \
		$(addprefix $(REPO)/,$(FRAGMENTS_release))

# ---------------------------------------------------------------- clean
clean:
	rm -rf $(BUILD)/kernel $(BUILD)/kernel-debug $(BUILD)/selftests $(BUILD)/demo \
		$(BUILD)/tcp_ca $(BUILD)/tcp_ca-map $(BUILD)/tools-6.12 $(BUILD)/run $(BUILD)/bench $(BUILD)/stress \
		$(STOCK)/kernel $(STOCK)/kernel.log $(BUILD)/series $(BUILD)/series-check $(BUILD)/*.log $(BUILD)/*.console $(BUILD)/vm \
		$(BUILD)/deb $(BUILD)/deb-* $(BUILD)/configs
