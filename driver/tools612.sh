#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build libbpf 1.5 and bpftool 7.5 from linux-source-6.12's tools/: the
# user space BPF developers run today, which loads .struct_ops.link
# objects through struct_ops links.  Debian's libbpf 1.1.2 and bpftool 7.1
# stay installed beside them.  Built once; a second run does nothing.
#
# usage: tools612.sh TARBALL OUT
#   OUT/libbpf/libbpf.a, OUT/libbpf/root/usr/include/bpf/*.h,
#   OUT/bpftool/bpftool

set -eu

tarball=$1
out=$2

msg() { printf '[tools-6.12] %s\n' "$*"; }
die() { printf '[tools-6.12] error: %s\n' "$*" >&2; exit 1; }

[ -r "$tarball" ] || die "$tarball not found (make deps installs linux-source-6.12)"

src=$out/src
if [ ! -f "$src/.extracted" ]; then
	msg "extracting tools/ from $(basename "$tarball")"
	rm -rf "$src"
	mkdir -p "$src"
	top=$(basename "$tarball" .tar.xz)
	tar -xf "$tarball" -C "$src" --strip-components=1 --wildcards \
		"$top/tools/lib" "$top/tools/bpf/bpftool" "$top/tools/include" \
		"$top/tools/scripts" "$top/tools/build" "$top/tools/arch/x86" \
		"$top/kernel/bpf/disasm.*" "$top/scripts/bpf_doc.py" \
		"$top/include/uapi/linux/bpf.h"
	touch "$src/.extracted"
fi

mkdir -p "$out/libbpf" "$out/bpftool"
msg "building libbpf $(sed -n 's/^LIBBPF_\([0-9.]*\) {.*/\1/p' "$src/tools/lib/bpf/libbpf.map" | tail -n 1) (logs: $out/{libbpf,bpftool}.log)"
# progress.sh: a line every 30 s, counting the builds' "  CC ..." lines.
progress=$(dirname "$0")/progress.sh
"$progress" tools-6.12 libbpf "$out/libbpf.log" "$out/libbpf.steps" \
	make -C "$src/tools/lib/bpf" OUTPUT="$out/libbpf/" \
	DESTDIR="$out/libbpf/root" prefix=/usr -j"$(nproc)" \
	install_headers "$out/libbpf/libbpf.a" ||
	{ tail -n 20 "$out/libbpf.log" >&2; die "libbpf failed to build"; }

msg "building bpftool"
"$progress" tools-6.12 bpftool "$out/bpftool.log" "$out/bpftool.steps" \
	make -C "$src/tools/bpf/bpftool" OUTPUT="$out/bpftool/" \
	CLANG=clang-16 LLVM_STRIP=llvm-strip-16 -j"$(nproc)" ||
	{ tail -n 20 "$out/bpftool.log" >&2; die "bpftool failed to build"; }
msg "$("$out/bpftool/bpftool" version | head -n 2 | tr '\n' ' ')"
