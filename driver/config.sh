#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# usage: config.sh LINUX OUTDIR [--base CONFIG] [--llvm SUFFIX] FRAGMENT...
# tinyconfig (or the config CONFIG), merge the fragments, olddefconfig,
# for gcc or, with --llvm, for clang as LLVM=SUFFIX spells it (Kconfig
# asks the compiler what it can do: kCFI needs clang),
# then check that every option the fragments ask for took: Kconfig drops
# an option silently when its dependencies are not met, and a kernel
# without, say, DEBUG_INFO_BTF would build and boot and then fail every
# test for the wrong reason.
set -eu
linux=$1 out=$2 base= llvm=
shift 2
while :; do
	case ${1:-} in
	--base) base=$2 ;;
	--llvm) llvm=LLVM=$2 ;;
	*) break ;;
	esac
	shift 2
done
mkdir -p "$out"
# shellcheck disable=SC2086
kmake() { make -s -C "$linux" O="$out" ARCH=x86_64 $llvm "$@" >"$out/config.log" 2>&1 ||
	{ cat "$out/config.log" >&2; echo "[config] error: make $* failed" >&2; exit 1; }; }

if [ -n "$base" ]; then
	cp "$base" "$out/.config"
else
	kmake tinyconfig
fi
"$linux/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$@" >"$out/merge.log" 2>&1 ||
	{ cat "$out/merge.log" >&2; echo "[config] error: merge_config.sh failed" >&2; exit 1; }
kmake olddefconfig

bad=$(cat "$@" | sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p' \
	-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' | while IFS= read -r want; do
	opt=${want%%=*}
	case $want in
	*=n) ! grep -q "^$opt=" "$out/.config" || echo "$want (got $(grep "^$opt=" "$out/.config"))" ;;
	*) grep -qxF "$want" "$out/.config" ||
		echo "$want (got $(grep -E "^$opt=|^# $opt is not set" "$out/.config" || echo 'nothing: unknown option'))" ;;
	esac
done)
if [ -n "$bad" ]; then
	echo "[config] error: options that did not take in $out/.config:" >&2
	echo "$bad" | sed 's/^/[config]   /' >&2
	rm -f "$out/.config"
	exit 1
fi
echo "[config] $(grep -c '=' "$out/.config") options set, all $(cat "$@" | grep -c '^CONFIG_\|^# CONFIG_') requested ones took"
