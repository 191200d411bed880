#!/usr/bin/env python3
"""Runs BENCHMARKS.md workloads with wrk against release builds of Foothold and, when
available, the Hummingbird+GRDB peer and a trivial nginx, alternating servers round by
round so the comparison is a ratio measured in one run. Loopback only; every run bounded."""
import argparse, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = "/tmp/peer-build/release/ContactsPeer"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, path="/health", timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not become ready")


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def to_ms(text):
    value = float(re.match(r"[\d.]+", text).group())
    if text.endswith("us"):
        return value / 1000
    if text.endswith("ms"):
        return value
    return value * 1000  # seconds


def wrk(url, duration, connections):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, timeout=duration + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"99%\s+(\S+)", out).group(1))
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return rps, p50, p99, errors


class Server:
    def __init__(self, name, argv, port, cwd):
        self.name, self.port = name, port
        self.proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(port)

    def stop(self):
        rss = peak_rss_kib(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        return rss


def start_foothold(work, synchronous):
    port = free_port()
    binary = os.path.join(ROOT, ".build/release/foothold")
    return Server("foothold", [binary, "serve", "--quiet", "--port", str(port), "--db", os.path.join(work, "foothold.sqlite"),
                               "--synchronous", synchronous], port, work)


def start_peer(work):
    port = free_port()
    return Server("peer", [PEER, "--port", str(port), "--db", os.path.join(work, "peer.sqlite")], port, work)


def start_nginx(work):
    port = free_port()
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1; daemon off; pid {work}/nginx.pid; error_log {work}/nginx.err;
events {{ worker_connections 1024; }}
http {{ access_log off; server {{ listen 127.0.0.1:{port};
  location / {{ default_type application/json; return 200 '{{"status":"ok"}}'; }} }} }}
""")
    return Server("nginx", ["nginx", "-c", conf, "-p", work], port, work)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--synchronous", default="normal", choices=["normal", "full"])
    parser.add_argument("--workloads", default="W1")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "foothold"], cwd=ROOT, check=True)
    starters = {"foothold": lambda w: start_foothold(w, args.synchronous)}
    if os.path.exists(PEER):
        starters["peer"] = start_peer
    else:
        print(f"(peer not built at {PEER}; see BENCHMARKS.md)")
    if shutil.which("nginx"):
        starters["nginx"] = start_nginx
    paths = {"W1": "/health"}
    results = {}
    for workload in args.workloads.split(","):
        for round_index in range(args.rounds):
            for name, start in starters.items():
                if name == "nginx" and workload != "W1":
                    continue
                work = tempfile.mkdtemp(prefix="foothold-bench-")
                server = start(work)
                try:
                    rps, p50, p99, errors = wrk(f"http://127.0.0.1:{server.port}{paths[workload]}", args.duration, args.connections)
                finally:
                    rss = server.stop()
                    shutil.rmtree(work, ignore_errors=True)
                results.setdefault((workload, name), []).append((rps, p50, p99, errors, rss))
                print(f"{workload} round {round_index + 1} {name:9s} {rps:10.0f} req/s  p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  errors {errors}  peak RSS {rss / 1024:6.1f} MiB", flush=True)
    print(f"\nmedians of {args.rounds} rounds, wrk -t1 -c{args.connections} -d{args.duration}s, synchronous={args.synchronous}")
    for workload in args.workloads.split(","):
        base = results.get((workload, "foothold"))
        for name in starters:
            rows = results.get((workload, name))
            if not rows:
                continue
            rps, p50, p99 = (statistics.median(r[i] for r in rows) for i in range(3))
            errors, rss = sum(r[3] for r in rows), max(r[4] for r in rows)
            line = f"{workload} {name:9s} {rps:10.0f} req/s  p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  errors {errors}  peak RSS {rss / 1024:6.1f} MiB"
            if name != "foothold" and base:
                line += f"  | foothold/{name}: throughput {statistics.median(r[0] for r in base) / rps:5.2f}x"
            print(line)


if __name__ == "__main__":
    main()
