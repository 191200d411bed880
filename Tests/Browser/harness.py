"""Starts Foothold servers for the browser tests and the screenshots, and drives Debian's
chromium through Playwright (never `playwright install`: its download host is unreachable)."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
PASSWORD = 'correct horse battery staple'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    """`foothold serve` on a port of its own with a fresh database; the owner gets a password."""

    def __init__(self, binary, *extra, port=None, password=True):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix='fh-browser-')
        self.db = os.path.join(self.dir, 'foothold.sqlite')
        self.port = port or free_port()
        self.log = open(os.path.join(self.dir, 'stderr.log'), 'w+')
        self.process = subprocess.Popen(
            [binary, 'serve', '--db', self.db, '--port', str(self.port), '--quiet', *extra],
            stdout=subprocess.DEVNULL, stderr=self.log)
        self.token = None
        deadline = time.time() + 30
        while time.time() < deadline:
            self.log.seek(0)
            text = self.log.read()
            match = re.search(r'shown only now\): (fh_\S+)', text)
            if match:
                self.token = match.group(1)
            if 'listening on' in text:
                break
            if self.process.poll() is not None:
                raise RuntimeError(f'foothold exited: {text}')
            time.sleep(0.05)
        else:
            raise RuntimeError('foothold did not start')
        self.url = f'http://127.0.0.1:{self.port}'
        if password:
            subprocess.run([binary, 'user', 'passwd', 'owner', '--db', self.db], input=PASSWORD.encode(), check=True,
                           stderr=subprocess.DEVNULL)

    def api(self, method, path, body=None, token=None):
        """The API as a script sees it, to check what a page stored."""
        request = urllib.request.Request(self.url + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header('Authorization', f'Bearer {token or self.token}')
        if body is not None:
            request.add_header('Content-Type', 'application/json')
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, (json.loads(raw) if raw else None), dict(response.headers)
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, (json.loads(raw) if raw else None), dict(error.headers)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu'])


def sign_in(page, base, name='owner', password=PASSWORD, remember=False):
    page.goto(base + '/#/signin')
    page.get_by_role('heading', name='Sign in').wait_for()
    page.get_by_label('Name', exact=True).fill(name)
    page.get_by_label('Password', exact=True).fill(password)
    if remember:
        page.get_by_label('Keep me signed in on this device').check()
    page.get_by_role('button', name='Sign in', exact=True).click()
    page.get_by_role('heading', name='Today').wait_for()


def heading(page, text):
    """Waits for the page's h1 to say `text` (pages render after their data arrives)."""
    page.locator('main h1', has_text=text).first.wait_for()
