#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Write the C dump of a kernel's BTF (vmlinux.h) only when it differs from
# what OUT holds, so that a kernel rebuilt with the same types rebuilds no
# BPF object that includes it.
# usage: vmlinux_h.sh BPFTOOL BTF OUT [LABEL]
#   LABEL prefixes the "GEN vmlinux.h" line printed when OUT changes.
set -eu
bpftool=$1 btf=$2 out=$3 label=${4:-}

mkdir -p "$(dirname "$out")"
"$bpftool" btf dump file "$btf" format c >"$out.tmp"
if cmp -s "$out.tmp" "$out"; then
	rm -f "$out.tmp"
else
	printf '%s%-8s %s\n' "$label" GEN vmlinux.h
	mv "$out.tmp" "$out"
fi
