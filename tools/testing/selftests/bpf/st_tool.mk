# SPDX-License-Identifier: GPL-2.0
#
# What the tools beside the selftests share: st_bench/, st_stress/ and
# st_modops/ each build a program on libbpf 1.5 with the skeletons
# (bpftool 7.5) of BPF objects compiled against the vmlinux.h of the
# kernel they test.  The includer sets TOOL, its name in messages, then
# includes this before its own rules, which add each object's headers.
#
#   make OUTPUT=DIR/ VMLINUX_BTF=FILE LIBBPF_DIR=DIR UAPI_DIR=DIR BPFTOOL=FILE

# The includer's own "all", whatever comes first.
.DEFAULT_GOAL	:= all

OUTPUT		?= $(CURDIR)/.output/
CLANG		?= clang-16
CC		?= gcc

BPF_CFLAGS	:= -g -O2 -Wall -Werror -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 \
		   -I$(OUTPUT) -I$(CURDIR) -I$(LIBBPF_DIR)/root/usr/include
CFLAGS		:= -g -O2 -Wall -Werror -I$(OUTPUT) -I$(LIBBPF_DIR)/root/usr/include \
		   -I$(UAPI_DIR) -D_GNU_SOURCE
LDLIBS		:= $(LIBBPF_DIR)/libbpf.a -lelf -lz -lpthread

msg = @printf '[$(TOOL)] %-8s %s\n' "$(1)" "$(2)"

# vmlinux.h is rewritten only when the kernel's types changed
# (tools/bpf/vmlinux_h.sh).
$(OUTPUT)vmlinux.h: $(OUTPUT).vmlinux.h.stamp ;

$(OUTPUT).vmlinux.h.stamp: $(VMLINUX_BTF)
	@mkdir -p $(OUTPUT)
	@../../../../bpf/vmlinux_h.sh $(BPFTOOL) $< $(OUTPUT)vmlinux.h '[$(TOOL)] '
	@touch $@

# NAME.bpf.o and its skeleton, named SKEL_NAME_NAME if the includer set
# it, else NAME.
$(OUTPUT)%.bpf.o: %.bpf.c $(OUTPUT)vmlinux.h
	$(call msg,CLANG,$@)
	@$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)%.skel.h: $(OUTPUT)%.bpf.o
	$(call msg,SKEL,$@)
	@$(BPFTOOL) gen skeleton $< name $(or $(SKEL_NAME_$*),$*) > $@.tmp && mv $@.tmp $@

clean:
	rm -rf $(OUTPUT)

.PHONY: clean
.DELETE_ON_ERROR:
.SECONDARY:
