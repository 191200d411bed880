"""Issue 17's memory bound: exporting 100,000 contacts (vCard, CSV, JSON) raises the server's
peak RSS by less than 16 MiB, since exports are streamed as they are read. Seeds bench/README.md's
data at 100,000 contacts, reads VmHWM before and after each export. Usage: export_rss.py [BINARY]."""
import os, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    binary = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(bench.ROOT, ".build/release/foothold"))
    work = tempfile.mkdtemp(prefix="foothold-export-")
    token = bench.seed_foothold(work, binary, "W5x10")
    port = bench.free_port()
    server = subprocess.Popen([binary, "serve", "--quiet", "--port", str(port), "--db", os.path.join(work, "foothold.sqlite")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bench.wait_ready(port)
        # A first read of every table, so the baseline holds the page caches a first request fills.
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/contacts?limit=200", headers={"Authorization": f"Bearer {token}"})).read()
        before = hwm(server.pid)
        print(f"peak RSS before the exports: {before / 1024:.1f} MiB")
        for path in ["/contacts.vcf", "/contacts.csv", "/export"]:
            start = time.time()
            size = 0
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=600) as response:
                while chunk := response.read(1 << 16):
                    size += len(chunk)
            after = hwm(server.pid)
            print(f"{path:15s} {size / 1048576:7.1f} MiB in {time.time() - start:5.1f} s; peak RSS {after / 1024:.1f} MiB (+{(after - before) / 1024:.1f} MiB)")
        rise = (hwm(server.pid) - before) / 1024
        print(f"peak RSS rose {rise:.1f} MiB over all three exports (bound: 16 MiB): {'ok' if rise < 16 else 'OVER'}")
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
