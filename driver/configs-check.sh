#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make configs-check: our files, and every file our patches touch, built
# under the configs users and other architectures' maintainers will try,
# each with no warning.  Only what is needed: per config, its .config,
# kbuild's prepare, then the objects below (and whatever of the
# directories its config enables), not the kernel.
#
# usage: configs-check.sh REPO LINUX OUT [NAME...]
#   OUT   one object tree per config, OUT/NAME (ccache serves repeats)
#   NAME  the configs to check (default: all, in the order below)
#
# The configs: "lab" is make check's release config (tinyconfig +
# configs/struct_ops.config guest.config hardening.config).
#   debian      Debian 12's own 6.1 config (linux-config-6.1,
#               config.amd64_none_amd64) + configs/struct_ops.config:
#               what make deb builds
#   preempt     lab, CONFIG_PREEMPT=y: full preemption built in
#   no-modules  lab, CONFIG_MODULES=n: module types compiled out
#   no-btf-mod  lab, CONFIG_DEBUG_INFO_BTF_MODULES=n: modules without BTF
#   no-ftrace   lab, CONFIG_FUNCTION_TRACER=n: no fentry patch site
#   no-jit      lab, CONFIG_BPF_JIT=n: struct_ops compiled out, TCP's
#               and the dummy ops' files still build
#   no-inet     lab, CONFIG_INET=n: no TCP, no tcp_congestion_ops
#   ibt         lab, CONFIG_X86_KERNEL_IBT=y: endbr64 at indirect targets
#   clang-cfi   lab built by clang-16 (LLVM=-16), CONFIG_CFI_CLANG=y
#
# One line per config: "[configs] NAME: ok (N objects, S s)" or why not;
# the last line counts them.  Exit status non-zero when one failed.

set -u
repo=$1 linux=$2 out=$3
shift 3
all="debian preempt no-modules no-btf-mod no-ftrace no-jit no-inet ibt clang-cfi"
names=${*:-$all}
jobs=$(nproc)
ccache=
command -v ccache >/dev/null && ccache="ccache "
llvm=
debian=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz
lab="$repo/configs/struct_ops.config $repo/configs/guest.config $repo/configs/hardening.config"

# What our change compiles into.  Directories: whatever the config
# enables in them.  Objects: built where the config enables them.
DIRS="kernel/bpf/ arch/x86/net/ net/bpf/"
# obj:CONFIG[,CONFIG]: built when each CONFIG is y
OBJS="net/ipv4/tcp_cong.o:INET net/ipv4/bpf_tcp_ca.o:INET,BPF_SYSCALL
      arch/x86/mm/pat/set_memory.o:X86 arch/x86/kernel/cfi.o:CFI_CLANG"

msg() { printf '[configs] %s\n' "$*"; }

# override NAME: the fragment that makes config NAME out of its base.
override() {
	case $1 in
	debian) ;;
	preempt) echo CONFIG_PREEMPT=y ;;
	no-modules) echo '# CONFIG_MODULES is not set' ;;
	no-btf-mod) echo '# CONFIG_DEBUG_INFO_BTF_MODULES is not set' ;;
	no-ftrace) echo '# CONFIG_FUNCTION_TRACER is not set' ;;
	no-jit) printf '# CONFIG_BPF_JIT_ALWAYS_ON is not set\n# CONFIG_BPF_JIT is not set\n' ;;
	no-inet) echo '# CONFIG_INET is not set' ;;
	ibt) echo CONFIG_X86_KERNEL_IBT=y ;;
	clang-cfi) echo CONFIG_CFI_CLANG=y ;;
	*) return 1 ;;
	esac
}

# configure NAME DIR: DIR/.config for NAME; every line of its override
# must have taken (Kconfig drops what its dependencies refuse).
configure() {
	local name=$1 dir=$2 frag want opt
	frag=$dir/override.config
	override "$name" >"$frag" || { echo "no config named $name (known: $all)"; return 1; }
	mkdir -p "$dir"
	if [ "$name" = debian ]; then
		[ -r "$debian" ] || { echo "no $debian (make deps installs linux-config-6.1)"; return 1; }
		xz -dc "$debian" | sed -e 's/^CONFIG_SYSTEM_TRUSTED_KEYS=.*/CONFIG_SYSTEM_TRUSTED_KEYS=""/' \
			-e 's/^CONFIG_SYSTEM_REVOCATION_KEYS=.*/CONFIG_SYSTEM_REVOCATION_KEYS=""/' \
			>"$dir/.config"
		set -- "$repo/configs/struct_ops.config"
	else
		kmake "$dir" tinyconfig || return 1
		# shellcheck disable=SC2086
		set -- $lab "$frag"
	fi
	"$linux/scripts/kconfig/merge_config.sh" -m -O "$dir" "$dir/.config" "$@" \
		>"$dir/merge.log" 2>&1 || { echo "merge_config.sh failed (log: $dir/merge.log)"; return 1; }
	kmake "$dir" olddefconfig || return 1
	while IFS= read -r want; do
		case $want in
		'# CONFIG_'*' is not set')
			opt=${want#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" "$dir/.config" || { echo "$opt did not go"; return 1; } ;;
		CONFIG_*)
			grep -qxF "$want" "$dir/.config" || { echo "$want did not take"; return 1; } ;;
		esac
	done <"$frag"
}

# kmake DIR ARGS...: kbuild in DIR with gcc, or clang-16 where $llvm is
# set, the output in DIR/build.log.
kmake() {
	local dir=$1
	shift
	if [ -n "$llvm" ]; then
		set -- LLVM=-16 "CC=${ccache}clang-16" "$@"
	else
		set -- "CC=${ccache}gcc" "$@"
	fi
	env CCACHE_BASEDIR="$repo" CCACHE_NOHASHDIR=1 \
		make -C "$linux" O="$dir" ARCH=x86_64 -j"$jobs" "$@" \
		>>"$dir/build.log" 2>&1 || { echo "kbuild failed (log: $dir/build.log)"; return 1; }
}

# enabled DIR CONFIG,CONFIG: are they all y in DIR/.config?
enabled() {
	local c
	for c in $(echo "$2" | tr ',' ' '); do
		grep -q "^CONFIG_$c=y" "$1/.config" || return 1
	done
}

# check NAME: prints the line's verdict; 0 when it passed.
check() {
	local name=$1 dir=$out/$1 start=$(date +%s) targets why o n
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/build.log"
	llvm=
	[ "$name" = clang-cfi ] && llvm=1
	if ! why=$(configure "$name" "$dir") ||
	   ! why=$(kmake "$dir" prepare); then
		msg "$name: FAIL: $why"
		return 1
	fi
	targets=$DIRS
	for o in $OBJS; do
		enabled "$dir" "${o#*:}" && targets="$targets ${o%%:*}"
	done
	: >"$dir/build.log"
	# shellcheck disable=SC2086
	if ! why=$(kmake "$dir" $targets); then
		msg "$name: FAIL: $why"
		grep -E 'error' "$dir/build.log" | head -n 10 | sed 's/^/[configs]   /'
		return 1
	fi
	if grep -q 'warning:' "$dir/build.log"; then
		msg "$name: FAIL: $(grep -c 'warning:' "$dir/build.log") warning(s) (log: $dir/build.log)"
		grep 'warning:' "$dir/build.log" | head -n 10 | sed 's/^/[configs]   /'
		return 1
	fi
	n=$(grep -cE '^  CC ' "$dir/build.log")
	msg "$name: ok ($(echo "$targets" | wc -w) targets, $n files compiled," \
		"$(($(date +%s) - start)) s)"
}

passed=0 failed=0
for name in $names; do
	if check "$name"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
msg "$passed passed, $failed failed"
[ "$failed" = 0 ]
