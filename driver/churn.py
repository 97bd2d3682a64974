#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Open short TCP connections on loopback, each with the congestion control
NAME set by name before connect (setsockopt TCP_CONGESTION), until the file
STOP exists; then print "CONNECTS FAILED".  A connect fails when the name
finds no congestion control, as between an unload and a load.

usage: churn.py NAME STOP
"""
import os
import socket
import sys


def main():
    name, stop = sys.argv[1].encode(), sys.argv[2]
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    addr = srv.getsockname()
    ok = failed = 0
    while not os.path.exists(stop):
        cli = socket.socket()
        try:
            cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, name)
            cli.connect(addr)
            srv.accept()[0].close()
            ok += 1
        except OSError:
            failed += 1
        finally:
            cli.close()
    print(ok + failed, failed)


if __name__ == "__main__":
    main()
