# SPDX-License-Identifier: GPL-2.0
#
# The BPF build rules, written once: vmlinux.h from a kernel's BTF, each
# BPF object (compiled against it: CO-RE relocates it to the kernel that
# loads it) and its bpftool skeleton.  tcp_ca (tools/bpf/tcp_ca/) and,
# beside the selftests, st_bench/, st_stress/ and st_modops/ build a
# program with them; driver/selftests.mk builds test_progs' objects with
# them.  The includer sets TOOL, its name in messages, then includes this
# before its own rules; the compiler notes each object's headers.
#
#   make OUTPUT=DIR/ VMLINUX_BTF=FILE [LIBBPF_DIR=DIR UAPI_DIR=DIR] [BPFTOOL=FILE]
#
# With LIBBPF_DIR: libbpf 1.5 (DIR/libbpf.a, DIR/root/usr/include) and
# 6.12's uapi headers in UAPI_DIR; without: the system's libbpf (Debian's
# 1.1.2) and headers.  An includer that compiles its BPF objects from
# elsewhere (selftests.mk) writes its own pattern rule with BPF_CC, and
# sets VMLINUX_H before the include and BPF_CFLAGS after it.

# The includer's own "all", whatever comes first.
.DEFAULT_GOAL	:= all

BPF_TOOL_DIR	:= $(dir $(lastword $(MAKEFILE_LIST)))
OUTPUT		?= $(CURDIR)/.output/
VMLINUX_BTF	?= /sys/kernel/btf/vmlinux
CLANG		?= clang-16
BPFTOOL		?= bpftool
CC		?= gcc

BPF_CFLAGS	:= -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 \
		   -I$(OUTPUT) -I$(CURDIR)
CFLAGS		:= -g -O2 -Wall -Werror -I$(OUTPUT) -D_GNU_SOURCE
ifdef LIBBPF_DIR
BPF_CFLAGS	+= -I$(LIBBPF_DIR)/root/usr/include
CFLAGS		+= -I$(LIBBPF_DIR)/root/usr/include -I$(UAPI_DIR)
LDLIBS		:= $(LIBBPF_DIR)/libbpf.a -lelf -lz -lpthread
else
CFLAGS		+= $(shell pkg-config --cflags libbpf)
LDLIBS		:= $(shell pkg-config --libs libbpf) -lelf -lpthread
endif

msg = @printf '[$(TOOL)] %-8s %s\n' "$(1)" "$(2)"

# vmlinux.h is rewritten only when the kernel's types changed
# (vmlinux_h.sh), so that a kernel rebuilt with the same types rebuilds
# no BPF object.
VMLINUX_H	?= $(OUTPUT)vmlinux.h

$(VMLINUX_H): $(OUTPUT).vmlinux.h.stamp ;

$(OUTPUT).vmlinux.h.stamp: $(VMLINUX_BTF)
	@mkdir -p $(OUTPUT) $(dir $(VMLINUX_H))
	@$(BPF_TOOL_DIR)vmlinux_h.sh $(BPFTOOL) $< $(VMLINUX_H) '[$(TOOL)] '
	@touch $@

# Compile the BPF object $@ from $<, noting its headers in a .d file.
BPF_CC		= $(CLANG) $(BPF_CFLAGS) -MD -MP -MF $(@:.o=.d) -c $< -o $@

# NAME.bpf.o and its skeleton, named SKEL_NAME_NAME if the includer set
# it, else NAME.
$(OUTPUT)%.bpf.o: %.bpf.c $(VMLINUX_H)
	$(call msg,CLANG,$@)
	@$(BPF_CC)

$(OUTPUT)%.skel.h: $(OUTPUT)%.bpf.o
	$(call msg,SKEL,$@)
	@$(BPFTOOL) gen skeleton $< name $(or $(SKEL_NAME_$*),$*) > $@.tmp && mv $@.tmp $@

-include $(wildcard $(OUTPUT)*.bpf.d)

clean:
	rm -rf $(OUTPUT)

.PHONY: clean
.DELETE_ON_ERROR:
.SECONDARY:
