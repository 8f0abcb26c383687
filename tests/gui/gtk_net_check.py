#!/usr/bin/env python3
"""Runs examples/gtk_net under a display (ctest runs it under xvfb-run) with the load
client, and checks what the app showed:

- the load client got every acknowledgement, in order, per connection;
- the app's display log holds every message exactly once, in per-connection order, with
  the digest the workers must have computed from its text;
- the app exited 0 after the quit path chosen (its own checks: accepted == processed ==
  shown, at most --limit processed at once, nothing held back, nothing leaked under ASan);
- the GUI main loop's longest stall under load (a 5 ms heartbeat) is printed, and only a
  generous bound is asserted (timing belongs in benchmarks);
- with --screenshot, a PNG of the window taken under load exists, is at least 300x200 and
  is not blank.

With --quit-midway the app quits (through the same Quit path) after half the messages
were shown, while the rest are still in the server's backlogs, the queues and the workers:
then what was shown must be, per connection, a gap-free prefix in order that includes
every message the client saw acknowledged, and the app's own checks (accepted ==
processed == shown, no leak under ASan) must hold.

With --idle-quit no load is sent: the app gets SIGTERM once it listens, and must shut
down cleanly (exit 0, nothing shown, nothing leaked under ASan).

With --bench R it instead runs both handoffs (weft, gasync) R times each, interleaved,
checks each run the same way, and prints the figures (docs/performance.md)."""
import argparse
import os
import signal
import statistics
import struct
import subprocess
import sys
import threading
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "gtk_net"))
import load_client  # noqa: E402


def fail(msg):
    print(f"gtk_net_check: FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def read_png(path):
    """(width, height, distinct byte values of the decoded image data) of a PNG file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path} is not a PNG")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def check_log(path, counts, acked, prefix_only):
    """Every message exactly once, in order per connection, with the right digest; with
    prefix_only, a gap-free prefix per connection that holds every acknowledged one."""
    seen = [[] for _ in counts]
    with open(path) as f:
        for line in f:
            conn, seq, digest = line.split()
            conn, seq = int(conn), int(seq)
            if conn >= len(counts):
                fail(f"unknown connection {conn} in the display log")
            if int(digest, 16) != load_client.fnv1a(load_client.message_text(conn, seq)):
                fail(f"message {conn}/{seq} was shown with a wrong digest {digest}")
            seen[conn].append(seq)
    for conn, (got, n, k) in enumerate(zip(seen, counts, acked)):
        if prefix_only and got == list(range(len(got))) and k <= len(got) <= n:
            continue
        if got != list(range(n)):
            dup = len(got) - len(set(got))
            fail(f"connection {conn}: shown {len(got)} of {n} messages, {dup} duplicates, "
                 f"in order: {got == sorted(got)}")
    return sum(len(s) for s in seen)


def run_once(a, mode, name, screenshot):
    os.makedirs(a.out, exist_ok=True)
    log = os.path.join(a.out, f"{name}.log")
    png = os.path.join(a.out, f"{name}.png")
    for p in (log, png):
        if os.path.exists(p):
            os.remove(p)
    quit_after = a.messages // 2 if a.quit_midway else a.messages
    cmd = [a.app, "--mode", mode, "--quit-after", str(quit_after), "--quit-by", a.quit_by,
           "--log", log, "--workers", str(a.workers), "--limit", str(a.limit),
           "--work-us", str(a.work_us), "--gui-work-us", str(a.gui_work_us)]
    if screenshot:
        cmd += ["--screenshot", png]
    app = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    lines, listening = [], threading.Event()

    def pump():
        for line in app.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("gtk_net: listening on"):
                listening.set()
        listening.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        if not listening.wait(60) or not lines or not lines[0].startswith("gtk_net: listening"):
            fail(f"the app did not start listening: {lines}")
        port = int(lines[0].split(":")[2].split()[0])
        try:
            load = load_client.run_load(port, a.connections, a.messages, timeout=a.timeout,
                                        partial=a.quit_midway)
        except Exception as e:  # noqa: BLE001 - any client failure fails the test
            fail(f"load client: {e!r}")
        if not a.quit_midway and load["acked"] != a.messages:
            fail(f"load client: {load['acked']} of {a.messages} acknowledged")
        rc = app.wait(a.timeout)
    except subprocess.TimeoutExpired:
        app.kill()
        fail(f"the app did not quit within {a.timeout} s after the load")
    reader.join(10)
    for line in lines:
        print(line)
    if rc != 0:
        fail(f"the app exited with status {rc}")
    summary = next((l for l in lines if l.startswith("gtk_net: summary")), None)
    if summary is None:
        fail("no summary line")
    fig = dict(kv.split("=", 1) for kv in summary.split()[2:])
    shown = check_log(log, load["per_connection"], load["acked_per_connection"], a.quit_midway)
    if int(fig["shown"]) != shown:
        fail(f"the log has {shown} messages, the app says it showed {fig['shown']}")
    if a.quit_midway:
        if shown < quit_after:
            fail(f"shown {shown}, but the quit came only after {quit_after}")
        print(f"gtk_net_check: {name}: quit after {quit_after} shown; {load['acked']} of "
              f"{a.messages} acknowledged, {shown} shown in the end (the pipeline drained)")
    elif shown != a.messages:
        fail(f"shown {shown}, sent {a.messages}")
    if int(fig["max_in_flight"]) > a.limit:
        fail(f"{fig['max_in_flight']} messages processed at once, limit {a.limit}")
    stall = float(fig["longest_stall_ms"])
    print(f"gtk_net_check: {name}: {a.messages} messages over {a.connections} connections "
          f"shown exactly once, in order; {fig['messages_per_s']} messages/s end to end; "
          f"GUI longest stall {stall:.1f} ms (bound {a.stall_bound_ms} ms); "
          f"{fig['reordered']} arrived ahead of an earlier one (at most {fig['held_most']} held)")
    if stall >= a.stall_bound_ms:
        fail(f"the GUI main loop stalled {stall:.1f} ms >= {a.stall_bound_ms} ms")
    if screenshot:
        if not os.path.exists(png):
            fail("no screenshot")
        w, h, distinct = read_png(png)
        size = os.path.getsize(png)
        print(f"gtk_net_check: screenshot {png}: {w}x{h}, {size} bytes")
        if w < 300 or h < 200 or size < 2000 or distinct < 3:
            fail(f"the screenshot looks wrong: {w}x{h}, {size} bytes, {distinct} distinct values")
    return fig


def idle_quit(a):
    """SIGTERM before any connection: the shutdown path with every queue empty."""
    app = subprocess.Popen([a.app, "--mode", a.mode], stdout=subprocess.PIPE, text=True)
    first = app.stdout.readline()
    if not first.startswith("gtk_net: listening on"):
        app.kill()
        fail(f"the app did not start listening: {first!r}")
    app.send_signal(signal.SIGTERM)
    try:
        out, _ = app.communicate(timeout=a.timeout)
    except subprocess.TimeoutExpired:
        app.kill()
        fail(f"the app did not quit within {a.timeout} s of SIGTERM")
    print(first + out, end="")
    summary = next((l for l in out.splitlines() if l.startswith("gtk_net: summary")), "")
    if app.returncode != 0 or " shown=0 " not in summary:
        fail(f"exit status {app.returncode}, summary {summary!r}")
    print(f"gtk_net_check: {a.name}: SIGTERM with no load: clean shutdown")


def bench(a):
    results = {"weft": [], "gasync": []}
    for r in range(a.bench):
        for mode in ("weft", "gasync"):
            fig = run_once(a, mode, f"{a.name}_{mode}", False)
            results[mode].append((float(fig["messages_per_s"]), float(fig["longest_stall_ms"]),
                                  float(fig["longest_latency_ms"])))
    print(f"\n{a.messages} messages, {a.connections} connections, {a.workers} workers, "
          f"limit {a.limit}, work {a.work_us} us, GUI work {a.gui_work_us} us per message, "
          f"{a.bench} runs per mode, interleaved")
    print("| handoff to the GUI | messages/s end to end, median (min-max) | "
          "GUI longest stall ms, median (min-max) | longest latency ms, median |")
    print("|---|---|---|---|")
    for mode, label in (("weft", "weft queue + weft_glib source"),
                        ("gasync", "GAsyncQueue + g_idle_add")):
        rate = [x[0] for x in results[mode]]
        stall = [x[1] for x in results[mode]]
        lat = [x[2] for x in results[mode]]
        print(f"| {label} | {statistics.median(rate):.0f} ({min(rate):.0f}-{max(rate):.0f}) | "
              f"{statistics.median(stall):.1f} ({min(stall):.1f}-{max(stall):.1f}) | "
              f"{statistics.median(lat):.1f} |")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--app", required=True)
    p.add_argument("--out", required=True, help="folder for the display logs and the screenshot")
    p.add_argument("--name", default="gtk_net")
    p.add_argument("--mode", choices=("weft", "gasync"), default="weft")
    p.add_argument("--quit-by", choices=("button", "close"), default="button")
    p.add_argument("--screenshot", action="store_true")
    p.add_argument("--quit-midway", action="store_true",
                   help="quit after half the messages were shown, under load")
    p.add_argument("--messages", type=int, default=20000)
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--limit", type=int, default=2)
    p.add_argument("--work-us", type=int, default=50)
    p.add_argument("--gui-work-us", type=int, default=0)
    p.add_argument("--stall-bound-ms", type=float, default=3000.0,
                   help="generous: a shared, noisy machine; the figure is what matters")
    p.add_argument("--timeout", type=float, default=180.0)
    p.add_argument("--idle-quit", action="store_true", help="SIGTERM before any load")
    p.add_argument("--bench", type=int, default=0, help="runs per mode (both modes)")
    a = p.parse_args()
    if a.idle_quit:
        idle_quit(a)
    elif a.bench:
        bench(a)
    else:
        run_once(a, a.mode, a.name, a.screenshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
