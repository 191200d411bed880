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
- serial round trips: the longest chain of the page's API requests each of which was made
  after the one before it was answered, as the page's own fetch calls record it (the header's
  /me is made apart and never waited for); the budget is two.

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
    if (document.querySelector('#main > .page h1') && window.__page === undefined) window.__page = performance.now();
  };
  new MutationObserver(mark).observe(document, { childList: true, subtree: true });
  // When each API request was made and answered, as the page's own code sees it.
  window.__calls = [];
  const original = window.fetch;
  window.fetch = function (input, init) {
    const call = { url: String(input), start: performance.now(), end: null };
    window.__calls.push(call);
    return original.call(this, input, init).finally(() => { call.end = performance.now(); });
  };
})();
"""


def observed(page, key):
    """The moment the observer recorded as `window[key]`. Polled from outside: the page's CSP
    forbids the eval wait_for_function would use; the moment itself is the observer's, so the
    polling interval does not enter the figure."""
    for _ in range(1500):
        moment = page.evaluate(f'() => window.{key}')
        if moment is not None:
            return moment
        page.wait_for_timeout(20)
    raise RuntimeError(f'{page.url} did not show within 30 s')


def chain(calls):
    """The longest run of requests each made after the one before it was answered."""
    depth = {}
    for i, c in enumerate(calls):
        depth[i] = 1 + max([depth[j] for j in range(i) if calls[j]['end'] is not None and calls[j]['end'] <= c['start']], default=0)
    return max(depth.values(), default=0)


def measure(page, url):
    page.goto(url)
    shown = observed(page, '__shown')
    entries = page.evaluate("""() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
        .map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd, sent: e.transferSize, decoded: e.decodedBodySize,
                       type: e.initiatorType }))""")
    files = [e for e in entries if e['type'] != 'fetch' and e['start'] <= shown]
    # The header's /me is made apart from the page and never waited for: it is not in a chain.
    api = [c for c in page.evaluate('() => window.__calls') if c['start'] <= shown and not c['url'].endswith('/me')]
    api = [{'name': c['url'], 'start': c['start'], 'end': c['end'] if c['end'] is not None else shown} for c in api]
    if os.environ.get('FRONT_DEBUG'):
        for e in api:
            print(f"  {e['name']}: {e['start']:.1f} → {e['end']:.1f}")
        print(f"  shown {shown:.1f}")
    return shown, sum(e['sent'] for e in files), sum(e['decoded'] for e in files), chain(api), len(files), [e['name'] for e in api]


PAGES = ['/areas', '/organizations', '/contacts', '/contacts/1', '/pitch', '/questions', '/meetings', '/meetings/1', '/knowledge',
         '/data', '/settings', '/search?q=4821']


def page_chains(browser, base, token):
    """Each page opened afresh: when it showed, and its longest chain of API requests in series."""
    out = []
    for path in PAGES:
        context = browser.new_context()
        context.add_init_script(f"sessionStorage.setItem('foothold.token', {token!r});" + OBSERVE)
        page = context.new_page()
        page.goto(f'{base}/#{path}')
        shown = observed(page, '__page')
        calls = [c for c in page.evaluate('() => window.__calls') if c['start'] <= shown and not c['url'].endswith('/me')]
        out.append((path, shown, chain(calls), len(calls)))
        context.close()
    return out


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
            chains = page_chains(browser, f'http://127.0.0.1:{server.port}', token)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    for path, shown, depth, count in chains:
        print(f"{path}: shown in {shown:.0f} ms; {count} API requests, at most {depth} in series")
    for kind, rows in results.items():
        shown = statistics.median(r[0] for r in rows)
        sent = statistics.median(r[1] for r in rows)
        decoded = statistics.median(r[2] for r in rows)
        print(f"{kind}: Today shown in {shown:.0f} ms (median of {len(rows)}; min {min(r[0] for r in rows):.0f}, max {max(r[0] for r in rows):.0f}); "
              f"{rows[0][4]} files, {decoded / 1024:.1f} KiB decoded, {sent / 1024:.1f} KiB sent; "
              f"API round trips in series: {max(r[3] for r in rows)} ({', '.join(n.split('127.0.0.1')[-1].split('/', 2)[-1] for n in rows[0][5])})")


if __name__ == '__main__':
    main()
