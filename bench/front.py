#!/usr/bin/env python3
"""The web front's speed (issue 26): what the first page loads, and how soon Today shows at
10,000 contacts. Seeds the W6 account (10,000 contacts with a meeting and an outreach entry
each, bench.py's data), then opens Today in Debian's chromium through Playwright, in a fresh
browser context each time (nothing cached) and again after a reload (everything revalidated
with a 304), and reports the median of 10 of each:

- shown: milliseconds from the navigation's start until Today's agenda is in the page (a
  MutationObserver installed before any script records the moment the list has its items);
- bytes: what the page loaded before it was shown, excluding API answers: as sent (gzip) and
  as decoded, against the 150 KiB budget for what the first page loads before compression;
- serial round trips: the longest chain of API requests each of which started after the one
  before it had ended (the budget is two).

Usage: python3 bench/front.py [--binary .build/release/foothold] [--runs 10]
Needs Tests/Browser/run.sh's venv (or playwright importable) and chromium.
"""
import argparse, os, shutil, statistics, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

OBSERVE = """
(() => {
  const mark = () => {
    const list = document.querySelector('ol.agenda');
    if (list && list.children.length && window.__shown === undefined) window.__shown = performance.now();
  };
  new MutationObserver(mark).observe(document, { childList: true, subtree: true });
})();
"""


def measure(page, url):
    page.goto(url)
    # Polled from outside: the page's CSP forbids the eval wait_for_function would use. The
    # moment itself is the observer's, so the polling interval does not enter the figure.
    shown = None
    for _ in range(1500):
        shown = page.evaluate('() => window.__shown')
        if shown is not None:
            break
        page.wait_for_timeout(20)
    if shown is None:
        raise RuntimeError('Today did not show within 30 s')
    entries = page.evaluate("""() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
        .map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd, sent: e.transferSize, decoded: e.decodedBodySize,
                       type: e.initiatorType }))""")
    files = [e for e in entries if e['type'] != 'fetch' and e['start'] <= shown]
    api = sorted([e for e in entries if e['type'] == 'fetch' and e['start'] <= shown], key=lambda e: e['start'])
    depth = {}
    for i, e in enumerate(api):
        before = [depth[j] for j in range(i) if api[j]['end'] <= e['start']]
        depth[i] = 1 + max(before, default=0)
    return shown, sum(e['sent'] for e in files), sum(e['decoded'] for e in files), max(depth.values(), default=0), len(files), [e['name'] for e in api]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--binary', default=os.path.join(bench.ROOT, '.build/release/foothold'))
    parser.add_argument('--runs', type=int, default=10)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='foothold-front-')
    server = bench.start_foothold(work, 'full', 'W6', binary=args.binary)
    token = bench.Server.token
    url = f'http://127.0.0.1:{server.port}/#/today?date={bench.AGENDA_DATE.isoformat()}'
    results = {'cold': [], 'warm': []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which('chromium') or '/usr/bin/chromium', args=['--no-sandbox'])
            for run in range(args.runs):
                context = browser.new_context()
                context.add_init_script(f"sessionStorage.setItem('foothold.token', {token!r});" + OBSERVE)
                page = context.new_page()
                results['cold'].append(measure(page, url))
                results['warm'].append(measure(page, url.replace('#', '?reload=1#')))
                context.close()
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    for kind, rows in results.items():
        shown = statistics.median(r[0] for r in rows)
        sent = statistics.median(r[1] for r in rows)
        decoded = statistics.median(r[2] for r in rows)
        print(f"{kind}: Today shown in {shown:.0f} ms (median of {len(rows)}; min {min(r[0] for r in rows):.0f}, max {max(r[0] for r in rows):.0f}); "
              f"{rows[0][4]} files, {decoded / 1024:.1f} KiB decoded, {sent / 1024:.1f} KiB sent; "
              f"API round trips in series: {max(r[3] for r in rows)} ({', '.join(n.split('/', 3)[3] for n in rows[0][5])})")


if __name__ == '__main__':
    main()
