"""Checks Foothold's vCard export and calendar feed with independent parsers from PyPI
(vobject, icalendar), against what the API says. Usage: interop_check.py BINARY."""
import json, os, socket, subprocess, sys, tempfile, time, urllib.request

import icalendar
import vobject


def fail(message):
    print(f"interop check: FAILED: {message}")
    sys.exit(1)


def main():
    binary = os.path.realpath(sys.argv[1])
    work = tempfile.mkdtemp()
    db = os.path.join(work, "check.sqlite")
    token = subprocess.run([binary, "user", "add", "checker", "--db", db], capture_output=True, text=True, check=True).stdout.strip()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([binary, "serve", "--port", str(port), "--db", db, "--quiet"], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)

        def call(method, path, body=None, auth=True):
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(base + path, data=data, method=method)
            if auth:
                request.add_header("Authorization", f"Bearer {token}")
            if data is not None:
                request.add_header("Content-Type", "application/json")
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return json.loads(raw) if response.headers.get("Content-Type", "").startswith("application/json") else raw

        org = call("POST", "/organizations", {"name": "Nordic Soil; Peat, Ltd"})["id"]
        people = [
            {"name": "Åsa Lindqvist", "organization_id": org, "title": "Head of Soil, Carbon; Peat", "email": "asa@soil.example",
             "phone": "+46 70 123 45 67", "notes": "Line one\nLine two " + "long " * 30 + "åäö\\end", "linkedin_url": "https://www.linkedin.com/in/asa"},
            {"name": "José Núñez", "email": "jose@agro.example", "tags": ["soil", "mentor"]},
            {"name": "Plain Person"},
        ]
        ids = [call("POST", "/contacts", person)["id"] for person in people]
        meeting = call("POST", "/meetings", {"contact_id": ids[0], "scheduled_at": "2026-12-01T10:00:00Z", "duration_minutes": 45, "location": "Café, Room 2"})["id"]
        cancelled = call("POST", "/meetings", {"contact_id": ids[1], "scheduled_at": "2026-12-02T10:00:00Z"})["id"]
        call("POST", f"/meetings/{cancelled}/cancel")
        done = call("POST", "/meetings", {"contact_id": ids[2], "scheduled_at": "2026-11-02T10:00:00Z"})["id"]
        call("POST", f"/meetings/{done}/complete", {"none_offered": True})
        event = call("POST", "/events", {"name": "Soil Summit; 2026", "starts_at": "2026-12-05T09:00:00Z", "ends_at": "2026-12-05T17:00:00Z"})["id"]
        call("POST", "/outreach", {"contact_id": ids[1], "sent_at": "2026-11-20T09:00:00Z"})

        # vCard: every card parses, and says what the API says.
        cards = list(vobject.readComponents(call("GET", "/contacts.vcf").decode("utf-8")))
        if len(cards) != len(people):
            fail(f"{len(cards)} vCards for {len(people)} contacts")
        api = {c["name"]: c for c in call("GET", "/contacts?limit=200")["items"]}
        for card in cards:
            name = card.fn.value
            contact = api.get(name) or fail(f"a vCard for {name!r}, which the API does not have")
            if card.version.value != "4.0":
                fail("not vCard 4.0")
            for field, attribute in [("email", "email"), ("phone", "tel"), ("title", "title"), ("notes", "note")]:
                value = getattr(card, attribute).value if hasattr(card, attribute) else None
                if value != contact[field]:
                    fail(f"{name}: {attribute} {value!r} != {contact[field]!r}")
            if contact["organization_id"] and card.org.value[0] != "Nordic Soil; Peat, Ltd":
                fail(f"{name}: ORG {card.org.value!r}")
        print(f"interop check: {len(cards)} vCards agree with the API (vobject {vobject.VERSION if hasattr(vobject, 'VERSION') else ''})")

        # Calendar: the feed parses; meetings, events and to-dos agree with the API.
        feed = call("POST", "/feeds", {"name": "check"})
        calendar = icalendar.Calendar.from_ical(urllib.request.urlopen(base + f"/calendar/{feed['token']}.ics", timeout=10).read())
        events = {str(c.get("uid")): c for c in calendar.walk("VEVENT")}
        todos = {str(c.get("uid")): c for c in calendar.walk("VTODO")}
        for meeting_id in [meeting, cancelled, done]:
            m = call("GET", f"/meetings/{meeting_id}")
            component = events.get(f"meeting-{meeting_id}@foothold") or fail(f"no VEVENT for meeting {meeting_id}")
            start = component.decoded("dtstart").strftime("%Y-%m-%dT%H:%M:%SZ")
            if start != m["scheduled_at"]:
                fail(f"meeting {meeting_id}: DTSTART {start} != {m['scheduled_at']}")
            if int(component.get("sequence")) != m["version"] - 1:
                fail(f"meeting {meeting_id}: SEQUENCE {component.get('sequence')} for version {m['version']}")
            expected = "CANCELLED" if m["status"] in ("cancelled", "no_show") else "CONFIRMED"
            if str(component.get("status")) != expected:
                fail(f"meeting {meeting_id}: STATUS {component.get('status')} for {m['status']}")
            if not component.walk("VALARM"):
                fail(f"meeting {meeting_id}: no VALARM")
        first = events[f"meeting-{meeting}@foothold"]
        if (first.decoded("dtend") - first.decoded("dtstart")).total_seconds() != 45 * 60:
            fail("DTEND is not DTSTART + duration")
        if str(first.get("location")) != "Café, Room 2":
            fail(f"LOCATION {first.get('location')!r}")
        e = events.get(f"event-{event}@foothold") or fail("no VEVENT for the event")
        if str(e.get("summary")) != "Soil Summit; 2026":
            fail(f"event SUMMARY {e.get('summary')!r}")
        if f"thank_you-{done}@foothold" not in todos:
            fail("no VTODO for the thank-you note")
        follow_ups = [uid for uid in todos if uid.startswith("follow_up-")]
        if not follow_ups:
            fail("no VTODO for the follow-up")
        for uid, todo in todos.items():
            if todo.get("due") is None or not todo.walk("VALARM"):
                fail(f"{uid}: no DUE or VALARM")
        print(f"interop check: calendar of {len(events)} VEVENTs and {len(todos)} VTODOs agrees with the API (icalendar {icalendar.__version__})")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
