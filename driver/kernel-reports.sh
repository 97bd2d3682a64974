# SPDX-License-Identifier: GPL-2.0
#
# Sourced by check.sh and bench.sh: what on a guest's console counts as a
# kernel report (a BUG, WARNING, KASAN, lockdep or RCU report, a hung task,
# a kmemleak suspect, a kCFI trap), as a grep -E pattern.  One definition,
# so that the tests and the bench judge a console alike.
KERNEL_REPORTS='BUG:|WARNING:|KASAN|kernel BUG|Oops|general protection fault|circular locking|possible recursive locking|suspicious RCU|rcu.*(stall|detected stalls)|INFO: task .* blocked|new suspected memory leak|CFI failure|invalid opcode'
