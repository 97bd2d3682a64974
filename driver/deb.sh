#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make deb: Debian packages of our kernel, built by the tree's own
# bindeb-pkg, in OUT (build/deb/KIND/).
#   debian  a distribution config: the running kernel's, when it is a 6.1
#           one, else Debian's own (linux-config-6.1, amd64), with
#           configs/struct_ops.config merged in.  Debian's config names
#           its signing certificates, which are not in this tree: the
#           trusted and revocation keys are emptied and kbuild makes a
#           key of its own to sign the modules with.
#   guest   the VM's release config (tinyconfig + our fragments): minutes
#           with a warm ccache, and bootable in tools/testing/vm/run.
# The kernel release is the tree's version with LOCALVERSION appended.
#
# usage: deb.sh REPO LINUX OBJ OUT KIND LOCALVERSION MAKE-ARGS...
#   OBJ  the object tree (build/deb-KIND: beside build/kernel, so that
#        ccache serves what they share); MAKE-ARGS go to kbuild (CC, -j,
#        PAHOLE_FLAGS)

set -eu
repo=$1 linux=$2 obj=$3 out=$4 kind=$5 localversion=$6
shift 6

msg() { printf '[deb] %s\n' "$*"; }
die() { printf '[deb] error: %s\n' "$*" >&2; exit 1; }

case $kind in
guest)
	msg "config: tinyconfig + configs/struct_ops.config configs/guest.config"
	"$repo/driver/config.sh" "$linux" "$obj" "$repo/configs/struct_ops.config" \
		"$repo/configs/guest.config"
	;;
debian)
	mkdir -p "$obj"
	running=/boot/config-$(uname -r)
	debian=/usr/src/linux-config-6.1/config.amd64_none_amd64.xz
	case $(uname -r) in
	6.1.*) [ -r "$running" ] || running= ;;
	*) running= ;;
	esac
	if [ -n "$running" ]; then
		msg "config: the running kernel's, $running, + configs/struct_ops.config"
		cp "$running" "$obj/base.config"
	else
		[ -r "$debian" ] || die "no 6.1 config: neither /boot/config-$(uname -r) nor $debian (make deps)"
		msg "config: Debian's $debian (the running kernel, $(uname -r), is not a 6.1 one)" \
			"+ configs/struct_ops.config"
		xz -dc "$debian" >"$obj/base.config"
	fi
	sed -i -e 's/^CONFIG_SYSTEM_TRUSTED_KEYS=.*/CONFIG_SYSTEM_TRUSTED_KEYS=""/' \
		-e 's/^CONFIG_SYSTEM_REVOCATION_KEYS=.*/CONFIG_SYSTEM_REVOCATION_KEYS=""/' \
		-e 's/^CONFIG_BUILD_SALT=.*/CONFIG_BUILD_SALT=""/' "$obj/base.config"
	"$repo/driver/config.sh" "$linux" "$obj" --base "$obj/base.config" \
		"$repo/configs/struct_ops.config"
	;;
*)
	die "DEB_CONFIG must be debian or guest, not '$kind'"
	;;
esac

version=$(make -s -C "$linux" kernelversion)
krel=$version$localversion
pkgver=$version-1
# bindeb-pkg writes the packages into OBJ's parent: clear what an earlier
# run left there, and move this run's to OUT.
parent=$(dirname "$obj")
rm -f "$parent"/linux-*_"$pkgver"_*.deb "$parent"/linux-struct-ops_"$pkgver"_*
start=$(date +%s)
msg "building $krel packages in ${obj#"$repo"/} (log: ${obj#"$repo"/}.log)"
"$repo/driver/progress.sh" deb "${obj#"$repo"/}" "$obj.log" "$obj.steps" \
	make -C "$linux" O="$obj" ARCH=x86_64 "$@" LOCALVERSION="$localversion" \
	KDEB_PKGVERSION="$pkgver" KDEB_SOURCENAME=linux-struct-ops bindeb-pkg || {
	grep -E 'error|Error' "$obj.log" | head -n 20 >&2
	die "bindeb-pkg failed (log: $obj.log)"
}
rm -rf "$out"
mkdir -p "$out"
mv "$parent"/linux-*_"$pkgver"_*.deb "$parent"/linux-struct-ops_"$pkgver"_* "$out"/
msg "built in $(($(date +%s) - start)) s:"
for deb in "$out"/*.deb; do
	msg "  ${deb#"$repo"/} ($(du -k "$deb" | cut -f1) KiB)"
done

# The image package must hold the kernel, its config and its modules'
# directory under this release, where a Debian system looks for them.
image=$(ls "$out"/linux-image-"$krel"_*.deb 2>/dev/null | head -n 1)
[ -n "$image" ] || die "no linux-image-$krel package in $out"
dpkg-deb --contents "$image" >"$out/contents.txt"
for f in "./boot/vmlinuz-$krel" "./boot/config-$krel" "./boot/System.map-$krel" \
	 "./lib/modules/$krel/"; do
	grep -q " $f\$" "$out/contents.txt" || die "$image lacks $f (see $out/contents.txt)"
done
msg "$(basename "$image"): /boot/vmlinuz-$krel, /boot/config-$krel," \
	"/lib/modules/$krel/ ($(grep -cE '\.ko(\.[a-z]+)?$' "$out/contents.txt") modules)"
echo "$krel" >"$out/release"
