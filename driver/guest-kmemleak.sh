#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest, after a test run: ask kmemleak for its suspects and save
# its report in FILE.
# usage: guest-kmemleak.sh FILE
# Exits 0 with no suspects, 1 with some, 2 without kmemleak.
#
# kmemleak reports an object that is older than 5 s when a scan starts and
# that no scan found referenced, and an object whose content changed since
# the scan before counts as referenced once: so two scans, the second at
# least 6 s after the run ended.  A scan takes longer than that under TCG,
# so there is seldom anything left to wait.

leaks=/sys/kernel/debug/kmemleak
[ -w $leaks ] || exit 2
end=$(date +%s)
echo scan >$leaks
left=$((end + 6 - $(date +%s)))
[ $left -gt 0 ] && sleep $left
echo scan >$leaks
cat $leaks >"$1"
! grep -q '^unreferenced object' "$1"
