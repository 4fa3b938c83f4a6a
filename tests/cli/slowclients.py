#!/usr/bin/env python3
# Slow clients for tests/cli/limits.sh: opens N connections from one
# source address to a TLS server and trickles one request header a byte
# at a time (never finishing it), or, with --raw, opens TCP connections
# that never start TLS. Prints one JSON line per connection: whether the
# server took it, and whether the server closed it before the client gave
# up (after GIVE_UP seconds). Once every connection is made or refused, it
# writes how many were taken to the file after --ready, if given.
#
#   slowclients.py HOST PORT SOURCE N GIVE_UP [--raw] [--ready FILE]
import json
import os
import socket
import ssl
import sys
import threading
import time


def hold(s, raw, give_up, r):
    """Trickles the header (or says nothing) until the server closes."""
    header = b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4096
    start = time.monotonic()
    k = 0
    try:
        while time.monotonic() - start < give_up:
            if not raw:
                s.send(header[k:k + 1])
                k += 1
            s.settimeout(0.5)
            try:
                if s.recv(1) == b"":
                    r["closed_by_server"] = True
                    break
            except socket.timeout:
                continue
    except (OSError, ssl.SSLError) as e:
        r["closed_by_server"] = True  # cut while sending
        r["error"] = type(e).__name__
    r["seconds"] = round(time.monotonic() - start, 1)


def one(i, host, port, source, raw, give_up, out, settled):
    r = {"conn": i, "taken": False, "closed_by_server": False}
    out[i] = r
    s = None
    try:
        s = socket.create_connection((host, port), timeout=5, source_address=(source, 0))
        if not raw:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(s)
        r["taken"] = True
    except (OSError, ssl.SSLError) as e:
        r["error"] = type(e).__name__  # refused at once: the address holds its limit
    settled.release()
    if r["taken"]:
        hold(s, raw, give_up, r)
    if s:
        s.close()


def main():
    host, port, source, n, give_up = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    raw = "--raw" in sys.argv
    ready = sys.argv[sys.argv.index("--ready") + 1] if "--ready" in sys.argv else None
    out = [None] * n
    ts = []
    settled = threading.Semaphore(0)
    for i in range(n):
        t = threading.Thread(target=one, args=(i, host, port, source, raw, give_up, out, settled))
        t.start()
        ts.append(t)
        settled.acquire()  # one after the other: the first ones are taken
    if ready:
        with open(ready + ".tmp", "w") as f:
            f.write("%d\n" % sum(1 for r in out if r["taken"]))
        os.rename(ready + ".tmp", ready)
    for t in ts:
        t.join()
    for r in out:
        print(json.dumps(r))


main()
