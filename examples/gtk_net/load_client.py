#!/usr/bin/env python3
"""Load client for gtk_net: opens several connections to the server, sends N messages
with unique ids (connection id, sequence number) and checks the acknowledgements: every
message acknowledged exactly once, in order, on its own connection.

    python3 examples/gtk_net/load_client.py --port 40123 --connections 4 --messages 20000

Exit status 0 when every acknowledgement came back as expected. Importable: run_load()
does the same and returns the figures; message_text() is what each message carries (the
test recomputes the workers' digest from it)."""
import argparse
import asyncio
import sys
import time

CHUNK = 256  # lines per write


def message_text(conn, seq):
    return f"hello from connection {conn}, message {seq}"


def fnv1a(text):
    """The digest the workers compute (examples/gtk_net/workers.c)."""
    h = 1469598103934665603
    for b in text.encode():
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def split(total, parts):
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def one_connection(host, port, conn, count, partial):
    reader, writer = await asyncio.open_connection(host, port)

    async def send():
        try:
            for start in range(0, count, CHUNK):
                lines = "".join(f"{conn} {seq} {message_text(conn, seq)}\n"
                                for seq in range(start, min(count, start + CHUNK)))
                writer.write(lines.encode())
                await writer.drain()  # the server's back-pressure reaches us here
        except ConnectionError:
            if not partial:
                raise

    async def receive():
        expected = 0
        while expected < count:
            try:
                line = await reader.readline()
            except ConnectionError:
                line = b""
            if not line:
                if partial:  # the server shut down: the acks so far are what counts
                    return expected
                raise RuntimeError(f"connection {conn}: closed after {expected} of {count} acks")
            fields = line.split()
            got = (fields[0], int(fields[1]), int(fields[2])) if len(fields) == 3 else None
            if got != (b"ack", conn, expected):
                raise RuntimeError(f"connection {conn}: expected 'ack {conn} {expected}', got {line!r}")
            expected += 1
        return expected

    try:
        _, acked = await asyncio.gather(send(), receive())
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
    return acked


async def run_load_async(port, connections, messages, host="127.0.0.1", timeout=120,
                         partial=False):
    start = time.monotonic()
    counts = split(messages, connections)
    acked = await asyncio.wait_for(
        asyncio.gather(*(one_connection(host, port, c, n, partial)
                         for c, n in enumerate(counts))), timeout)
    return {"sent": messages, "acked": sum(acked), "per_connection": counts,
            "acked_per_connection": list(acked), "seconds": time.monotonic() - start}


def run_load(port, connections, messages, host="127.0.0.1", timeout=120, partial=False):
    """partial=True: the server may shut down before every ack came (acks stay in order;
    the ones that came are counted)."""
    return asyncio.run(run_load_async(port, connections, messages, host, timeout, partial))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--messages", type=int, default=10000)
    a = p.parse_args()
    try:
        r = run_load(a.port, a.connections, a.messages, a.host)
    except (RuntimeError, OSError, asyncio.TimeoutError) as e:
        print(f"load_client: FAILED: {e!r}", file=sys.stderr)
        return 1
    print(f"load_client: {r['acked']} of {r['sent']} messages acknowledged in order over "
          f"{a.connections} connections in {r['seconds']:.2f} s")
    return 0 if r["acked"] == r["sent"] else 1


if __name__ == "__main__":
    sys.exit(main())
