# SPDX-License-Identifier: GPL-2.0
#
# A selftest module built out of tree against one kernel, for the
# Makefiles of st_bench/ and st_modops/, which set MOD_NAME and MOD_SRCS
# (their Kbuild among them) and msg before they include this.
#
#   make module KSRC=TREE KOBJ=BUILD MOD_OUT=DIR [KCC=CC] [KLLVM=SUFFIX]
#	DIR/MOD_NAME.ko against the kernel built from TREE in BUILD, with
#	its BTF where the kernel has CONFIG_DEBUG_INFO_BTF_MODULES; KLLVM
#	for a kernel built with LLVM=SUFFIX (make check's kCFI kernel).
#	Without Module.symvers (the kernels are built for bzImage only)
#	modpost warns of every kernel symbol; none has a CRC to check.

# The compiler the kernel was built with, as its build spelled it: another
# spelling would make Kbuild think every object stale.
KCC		?= gcc
KLLVM		?=
KBUILD_ARGS	= ARCH=x86_64 CC="$(KCC)" $(if $(KLLVM),LLVM=$(KLLVM))

module: $(MOD_OUT)/$(MOD_NAME).ko

# Kbuild builds in M=: a copy of the module's sources, one per kernel.
$(MOD_OUT)/$(MOD_NAME).ko: $(MOD_SRCS) $(KOBJ)/vmlinux
	$(call msg,MODULE,$@)
	@mkdir -p $(MOD_OUT)
	@cp $(MOD_SRCS) $(MOD_OUT)/
	@{ $(MAKE) -s -C $(KSRC) O=$(KOBJ) $(KBUILD_ARGS) modules_prepare && \
	   $(MAKE) -s -C $(KSRC) O=$(KOBJ) $(KBUILD_ARGS) M=$(MOD_OUT) \
		KBUILD_MODPOST_WARN=1 modules; } >$(MOD_OUT)/build.log 2>&1 || \
		{ cat $(MOD_OUT)/build.log >&2; exit 1; }

.PHONY: module
