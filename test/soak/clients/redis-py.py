"""redis-py writer for the client soak (test/soak).

Writes a unique key every 20 ms through the sentinels and prints one JSON line per outcome on
stdout, like the Node.js clients (writer.js). Run with Debian's interpreter, which has Debian's
python3-redis:

    /usr/bin/python3 redis-py.py <master-name> <key-prefix> <host:port>...
"""

import json
import sys
import time

from redis.sentinel import Sentinel

INTERVAL = 0.020


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def now_ms():
    return int(time.time() * 1000)


def main():
    name, prefix, addrs = sys.argv[1], sys.argv[2], sys.argv[3:]
    sentinels = []
    for a in addrs:
        host, _, port = a.rpartition(":")
        sentinels.append((host, int(port)))
    # Default options, as a user would start (no socket timeouts).
    master = Sentinel(sentinels).master_for(name)
    emit({"ev": "ready", "t": now_ms()})
    seq = 0
    while True:
        seq += 1
        start, start_ms = time.monotonic(), now_ms()
        try:
            master.set(f"{prefix}:{seq}", str(seq))
            emit({"ev": "ack", "seq": seq, "s": start_ms, "t": now_ms()})
        except Exception as err:  # every failure is an outcome to report, not a crash
            emit({"ev": "err", "seq": seq, "s": start_ms, "t": now_ms(), "err": f"{type(err).__name__}: {err}"})
        wait = start + INTERVAL - time.monotonic()
        if wait > 0:
            time.sleep(wait)


if __name__ == "__main__":
    main()
