"""The web front in a real browser (Debian's chromium through Playwright): a person's journey
from an empty account to a knowledge report, then the same at 360 px for an invited student,
markup in user data, two tabs editing one contact, a lost connection, a coach reading along,
axe-core on every page in light and dark, and the files served from another origin.

Usage: python3 Tests/Browser/test_front.py .build/release/foothold [--screenshots DIR]
"""
import datetime
import json
import os
import re
import urllib.request
import sys
import time

from playwright.sync_api import sync_playwright, expect

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, launch, sign_in, PASSWORD  # noqa: E402
import harness  # noqa: E402

from axe_playwright_python.sync_playwright import Axe  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else '.build/release/foothold'
SHOTS = sys.argv[sys.argv.index('--screenshots') + 1] if '--screenshots' in sys.argv else None
FAILURE_SHOTS = os.environ.get('FOOTHOLD_BROWSER_FAILURES', '/tmp/foothold-browser-failures')
expect.set_options(timeout=10_000)

PAGES = ['/today', '/areas', '/organizations', '/contacts', '/pitch', '/questions', '/meetings', '/focus', '/knowledge', '/data', '/settings', '/admin']


def heading(page, text):
    """The page's h1 says `text`; on a phone, nothing on it is wider than the screen."""
    harness.heading(page, text)
    width = page.viewport_size['width']
    if width <= 400:
        no_horizontal_scroll(page, width)


def visit(page, url):
    """Opens `url`, loading it again when it is the page already open (a hash that does not
    change fires no hashchange, so the page would keep what it showed)."""
    if page.url == url:
        page.reload()
    else:
        page.goto(url)


def eventually(read, expected, what):
    """What the API stores, once a page's save has gone through (the page says Saved only
    after the answer, but an earlier Saved may still be on screen)."""
    deadline = time.time() + 10
    value = read()
    while value != expected and time.time() < deadline:
        time.sleep(0.05)
        value = read()
    assert value == expected, f'{what}: {value!r}, expected {expected!r}'


def step(name):
    print(f'  · {name}', flush=True)


def utc_input(delta):
    """A datetime-local value `delta` from now, in UTC (the browser runs in UTC here)."""
    return (datetime.datetime.now(datetime.timezone.utc) + delta).strftime('%Y-%m-%dT%H:%M')


def form(page, name):
    return page.get_by_role('form', name=name)


def journey(page, server, token, tag, drag=True):
    """One person's search from nothing to a knowledge report; `tag` keeps names apart."""
    base = server.url
    step('an interest area')
    page.goto(f'{base}/#/areas')
    heading(page, 'Interest areas')
    expect(page.get_by_text('No areas yet')).to_be_visible()
    f = form(page, 'New area')
    f.get_by_label('Name').fill(f'Soil carbon {tag}')
    f.get_by_label('Meetings to hold').fill('3')
    f.get_by_label('By').fill((datetime.date.today() + datetime.timedelta(days=42)).isoformat())
    f.get_by_role('button', name='Create').click()
    heading(page, f'Soil carbon {tag}')
    area_id = int(page.url.rsplit('/', 1)[1])
    expect(page.get_by_text('0 meetings held with 0 people.')).to_be_visible()
    expect(page.locator('.badge.on_track, .badge.behind')).to_contain_text('0 of 3 meetings')

    step('an organization, sorted by LAMP')
    page.goto(f'{base}/#/organizations')
    heading(page, 'Organizations')
    f = form(page, 'New organization')
    f.get_by_label('Name', exact=True).fill(f'Terra Labs {tag}')
    f.get_by_label('Advocacy: someone there would speak for you').check()
    f.get_by_label('Motivation (0–3)').fill('3')
    f.get_by_label('Areas').select_option(label=f'Soil carbon {tag}')
    f.get_by_role('button', name='Create').click()
    heading(page, f'Terra Labs {tag}')
    expect(page.get_by_text('Advocacy yes')).to_be_visible()

    step('a contact, and the duplicate offered instead of a second one')
    page.goto(f'{base}/#/contacts?new=1')
    heading(page, 'Contacts')
    f = form(page, 'New contact')
    f.get_by_label('Name', exact=True).fill(f'Ann Example {tag}')
    f.get_by_label('Title').fill('Soil scientist')
    f.get_by_label('Organization').fill(f'Terra Labs {tag}')
    f.get_by_label('Email').fill(f'ann.{tag}@terra.example')
    f.get_by_label('Hook: what you have in common, said first').fill('We both studied soil science at Ghent')
    f.get_by_label('Areas').select_option(label=f'Soil carbon {tag}')
    f.get_by_role('button', name='Create').click()
    heading(page, f'Ann Example {tag}')
    ann = int(page.url.rsplit('/', 1)[1])
    page.goto(f'{base}/#/contacts?new=1')
    heading(page, 'Contacts')
    f = form(page, 'New contact')
    f.get_by_label('Name', exact=True).fill('Ann E.')
    f.get_by_label('Email').fill(f'ann.{tag}@terra.example')
    f.get_by_role('button', name='Create').click()
    expect(page.get_by_role('link', name='Open the existing contact')).to_be_visible()
    assert server.api('GET', '/contacts?q=Ann', token=token)[1]['items'].__len__() == 1
    page.get_by_role('link', name='Open the existing contact').click()
    heading(page, f'Ann Example {tag}')
    assert page.url.endswith(f'/contacts/{ann}')

    step('a LinkedIn import, previewed before anything is written')
    page.goto(f'{base}/#/data')
    heading(page, 'Data')
    csv = ('Notes:\r\n"When exporting your connection data, you may notice that some of the email addresses are missing."\r\n\r\n'
           'First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n'
           f'Cora,Linked{tag},https://www.linkedin.com/in/cora-{tag},,Terra Labs {tag},Field lead,12 Mar 2024\r\n')
    page.get_by_label('File').set_input_files({'name': 'Connections.csv', 'mimeType': 'text/csv', 'buffer': csv.encode()})
    page.get_by_role('button', name='Preview').click()
    expect(page.get_by_role('heading', name='Preview: nothing written yet')).to_be_visible()
    expect(page.get_by_text('1 new contacts')).to_be_visible()
    assert len(server.api('GET', '/contacts', token=token)[1]['items']) == 1, 'the preview wrote'
    page.get_by_role('button', name='Import 1 contacts').click()
    expect(page.get_by_role('heading', name='Imported')).to_be_visible()
    assert len(server.api('GET', '/contacts', token=token)[1]['items']) == 2

    step('a pitch whose lint warning is explained, then fixed')
    page.goto(f'{base}/#/pitch')
    heading(page, 'Pitch')
    f = form(page, 'New pitch')
    f.get_by_label('Name').fill('First email')
    f.get_by_label('Text').fill('Hi {{contact.first_name}}, {{contact.hook}}. Could you help me get a job at {{organization.name}}?')
    f.get_by_role('button', name='Create').click()
    expect(page.get_by_label('For')).to_be_visible()
    pitch = int(page.url.rsplit('/', 1)[1])
    page.get_by_label('For').fill(f'Ann Example {tag}')
    page.get_by_label('For').press('Tab')
    warning = page.locator('.warnings li[data-code="asks_for_job"]')
    expect(warning).to_be_visible()
    expect(warning).to_contain_text('asks for advice, not a job')
    expect(page.locator('.rendered')).to_contain_text('Hi Ann, We both studied soil science at Ghent.')
    page.get_by_label('Text').fill('Hi {{contact.first_name}}, {{contact.hook}}. I am exploring soil carbon and would value your view of '
                                   'the work at {{organization.name}}. Would you have twenty minutes to talk?')
    expect(warning).to_have_count(0)
    expect(page.locator('.counts')).to_contain_text('words')
    expect(page.get_by_text('Saved.')).to_be_visible()

    step('a resume version beside the pitch')
    page.goto(f'{base}/#/pitch')
    heading(page, 'Pitch')
    page.get_by_text('New resume version').click()
    f = form(page, 'New resume version')
    f.get_by_label('Label').fill(f'Field science CV {tag}')
    f.get_by_label('Link to it').fill('https://cv.example/field')
    f.get_by_role('button', name='Create').click()
    expect(page.get_by_role('region', name='Resume versions')).to_contain_text(f'Field science CV {tag}')

    step('questions in the bank, by TIARA')
    page.goto(f'{base}/#/questions')
    heading(page, 'Questions')
    questions = [('What trends are changing soil carbon work?', 'Trends'),
                 ('What surprised you most about working at Terra Labs?', 'Insights'),
                 ('What would you do in my place?', 'Advice')]
    for text, category in questions:
        f = form(page, 'New question')
        f.get_by_label('Question').fill(text)
        f.get_by_label('Category').select_option(label=category)
        f.get_by_role('button', name='Create').click()
        expect(page.get_by_role('region', name=category).get_by_text(text)).to_be_visible()

    step('a meeting: scheduled, prepared, its questions ordered by keyboard and by drag')
    page.goto(f'{base}/#/contacts/{ann}')
    heading(page, f'Ann Example {tag}')
    f = form(page, 'Schedule a meeting')
    f.get_by_label('Meeting at').fill(utc_input(datetime.timedelta(hours=-2)))
    f.get_by_role('button', name='Propose or schedule a meeting').click()
    heading(page, f'Meeting with Ann Example {tag}')
    meeting = int(page.url.rsplit('/', 1)[1])
    expect(page.get_by_text('Not ready yet')).to_be_visible()
    warnings = page.locator('.checklist li.warn')
    expect(page.locator('.checklist li.warn', has_text='resume')).to_have_count(1)
    notes_form = form(page, 'Notes and outcome')
    notes_form.get_by_label('Resume you bring').select_option(label=f'Field science CV {tag}')
    notes_form.get_by_role('button', name='Save').click()
    expect(page.locator('.checklist li.warn', has_text='resume')).to_have_count(0)
    assert server.api('GET', f'/meetings/{meeting}', token=token)[1]['resume_id'] is not None
    adder = form(page, 'Add a question')
    for text, _ in questions:
        adder.get_by_label('From the bank').select_option(label=text)
        adder.get_by_role('button', name='Add question').click()
        expect(page.locator('.qa-text', has_text=text)).to_be_visible()
    adder.get_by_label('Ad hoc').fill(f'How did Terra Labs {tag} start its soil work?')
    adder.get_by_role('button', name='Add question').click()
    expect(page.locator('.qa-item')).to_have_count(4)
    texts = lambda: [t.strip() for t in page.locator('.qa-text').all_inner_texts()]
    before = texts()
    page.locator('.qa-item .handle').first.focus()
    page.keyboard.press('Alt+ArrowDown')
    expect(page.locator('.qa-text').first).to_have_text(before[1])
    expect(page.locator('.qa-item').nth(1).locator('.handle')).to_be_focused()
    stored = [q['text'] for q in server.api('GET', f'/meetings/{meeting}/questions?sort=position', token=token)[1]['items']]
    assert stored == [before[1], before[0], before[2], before[3]], stored
    if drag:
        # A mouse drags only between points on screen: both questions in view.
        size = page.viewport_size
        page.set_viewport_size({'width': size['width'], 'height': 1600})
        page.locator('.question-agenda').evaluate('e => e.scrollIntoView()')
        page.locator('.qa-item').nth(3).locator('.qa-head').drag_to(page.locator('.qa-item').nth(0).locator('.qa-head'))
        page.set_viewport_size(size)
    else:
        # On a phone: the buttons, three times up.
        for position in (3, 2, 1):
            page.locator('.qa-item').nth(position).get_by_role('button', name=f'Move up: {before[3]}').click()
            expect(page.locator('.qa-text').nth(position - 1)).to_have_text(before[3])
    expect(page.locator('.qa-text').first).to_have_text(before[3])
    page.locator('.qa-item').first.get_by_label('Asked').check()
    page.locator('.qa-item').first.get_by_label('Answer notes').fill('Started with a grant in 2019; hires through field seasons.')
    expect(page.locator('.qa-item').first.locator('.save-state')).to_have_text('Saved')
    first = server.api('GET', f'/meetings/{meeting}/questions?sort=position', token=token)[1]['items'][0]
    assert first['asked'] is True and first['answer_notes'].startswith('Started with a grant'), first

    step('completion: the leave-with rule explained, then a referral and insights')
    page.get_by_role('button', name='Complete meeting').click()
    expect(page.get_by_role('heading', name='Nothing to leave with?')).to_be_visible()
    assert server.api('GET', f'/meetings/{meeting}', token=token)[1]['status'] == 'scheduled'
    page.get_by_role('button', name='Add a referral').click()
    page.get_by_label('Who they suggested (name)').fill(f'Ben Referral {tag}')
    for name in ('Soil sampling', 'Statistics in R'):
        page.get_by_role('button', name='Add an insight').click()
        row = page.locator('.row[data-group="insights"]').last
        row.get_by_label('Kind').select_option('skill')
        row.get_by_label('Skill or competency name').fill(name)
        row.get_by_label('What they said').fill(f'{name} is asked for in every field job.')
    page.get_by_label('Notes', exact=True).first.fill('Warm; suggested Ben.')
    page.get_by_role('button', name='Complete meeting').click()
    expect(page.get_by_role('heading', name='What it left')).to_be_visible()
    expect(page.locator('.flash')).to_have_text('Meeting completed. Send the thank-you within a day.')
    done = server.api('GET', f'/meetings/{meeting}', token=token)[1]
    assert done['status'] == 'completed' and len(done['referral_ids']) == 1, done

    step('the thank-you, recorded from Today')
    page.goto(f'{base}/#/today')
    heading(page, 'Today')
    item = page.locator('.agenda-item.kind-thank_you')
    expect(item).to_contain_text(f'Ann Example {tag}')
    item.get_by_role('button', name='Record the thank-you').click()
    expect(page.locator('.agenda-item.kind-thank_you')).to_have_count(0)
    expect(page.locator('.agenda-item.kind-contact_referral')).to_contain_text(f'Ben Referral {tag}')
    assert server.api('GET', f'/meetings/{meeting}', token=token)[1]['thank_you_sent_at'] is not None

    step('the knowledge report shows what the meeting taught')
    page.goto(f'{base}/#/areas/{area_id}')
    heading(page, f'Soil carbon {tag}')
    skills = page.get_by_role('region', name='Skills')
    expect(skills.locator('li', has_text='Soil sampling')).to_contain_text('gap')
    expect(skills.locator('li', has_text='Statistics in R')).to_contain_text('named by 1 person')
    expect(page.get_by_role('region', name='People met')).to_contain_text(f'Ann Example {tag}')
    with page.expect_download() as download:
        page.get_by_role('button', name='Download the report (Markdown)').click()
    assert download.value.suggested_filename == f'Soil carbon {tag}.md'
    with open(download.value.path(), encoding='utf-8') as f:
        report = f.read()
    assert report.startswith(f'# Soil carbon {tag}') and 'Soil sampling' in report, report[:200]
    step('where to focus: one meeting is too early to say, and what is next is named')
    page.goto(f'{base}/#/focus')
    heading(page, 'Where to focus')
    focus = page.get_by_role('region', name=re.compile(rf'\d+\. Soil carbon {tag}$'))
    expect(focus).to_contain_text('Too early to say: 1 person met; 2 more meetings with someone new would make it enough')
    expect(focus.locator('li.step.kind-contact_referral')).to_contain_text(f'Contact Ben Referral {tag}, whom Ann Example {tag} suggested')
    focus.locator('li.step.kind-contact_referral').get_by_role('link', name=f'Ben Referral {tag}').click()
    heading(page, f'Ben Referral {tag}')
    page.goto(f'{base}/#/knowledge')
    heading(page, 'Knowledge')
    expect(page.locator('svg.funnel title')).to_contain_text('Met 1')
    expect(page.get_by_role('region', name='Skill gaps across areas')).to_contain_text('Soil sampling')
    leads = page.get_by_role('region', name='Leads by status')
    leads.get_by_text('New lead').click()
    f = form(page, 'New lead')
    f.get_by_label('Title').fill(f'Field technician {tag}')
    f.get_by_label('Organization').fill(f'Terra Labs {tag}')
    f.get_by_role('button', name='Create').click()
    expect(page.locator('.flash')).to_have_text('Lead added.')
    expect(leads.locator('.lead-column', has_text='Found (1)')).to_contain_text(f'Field technician {tag}')
    leads.get_by_label(f'Status of Field technician {tag}').select_option('applied')
    expect(leads.locator('.lead-column', has_text='Applied (1)')).to_contain_text(f'Field technician {tag}')
    # An application does not go back to found: the rule says so beside it, and nothing moves.
    leads.get_by_label(f'Status of Field technician {tag}').select_option('found')
    expect(leads.locator('li .problem')).to_have_text('Lead 1 is applied; it cannot become found.' if tag == 'wide' else re.compile('is applied; it cannot become found'))
    expect(leads.get_by_label(f'Status of Field technician {tag}')).to_have_value('applied')
    lead = [l for l in server.api('GET', '/leads', token=token)[1]['items'] if l['title'] == f'Field technician {tag}'][0]
    assert lead['status'] == 'applied' and lead['organization']['name'] == f'Terra Labs {tag}', lead
    return {'ann': ann, 'meeting': meeting, 'area': area_id, 'pitch': pitch}


def today_in_pages(page, server):
    """A backlog longer than a page: 50 items, then "More" brings the rest, oldest first."""
    before = len(server.api('GET', '/agenda?limit=200')[1]['items'])
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=30)
    for i in range(55):
        at = (start + datetime.timedelta(hours=i)).strftime('%Y-%m-%dT%H:%M:%SZ')
        status, _, _ = server.api('POST', '/events', {'name': f'Meetup {i:02d}', 'starts_at': at})
        assert status == 201
    visit(page, f'{server.url}/#/today')
    heading(page, 'Today')
    expect(page.locator('.agenda-item')).to_have_count(50)
    expect(page.locator('.agenda-item').first).to_contain_text('Meetup 00')
    page.get_by_role('button', name='More').click()
    expect(page.locator('.agenda-item')).to_have_count(55 + before)
    expect(page.get_by_role('button', name='More')).to_be_hidden()
    expect(page.locator('.agenda-item').nth(50).locator('a, button').first).to_be_focused()


def second_contact(page, server):
    """3B7: the second contact is someone else at the organization, chosen on Today."""
    _, org, _ = server.api('POST', '/organizations', {'name': 'Brightsoil'})
    _, dee, _ = server.api('POST', '/contacts', {'name': 'Dee First', 'organization_id': org['id']})
    _, eve, _ = server.api('POST', '/contacts', {'name': 'Eve Second', 'organization_id': org['id']})
    sent = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=8)).strftime('%Y-%m-%dT%H:%M:%SZ')
    status, _, _ = server.api('POST', '/outreach', {'contact_id': dee['id'], 'channel': 'email', 'direction': 'outbound', 'sent_at': sent})
    assert status == 201
    visit(page, f'{server.url}/#/today')
    heading(page, 'Today')
    item = page.locator('.agenda-item.kind-try_second_contact', has_text='Dee First')
    item.get_by_role('button', name='Log a message').click()
    item.get_by_label('To').select_option(label='Eve Second')
    item.get_by_label('What you wrote').fill('Ann suggested I write to you.')
    item.get_by_role('button', name='Log message').click()
    expect(page.locator('.agenda-item.kind-try_second_contact', has_text='Dee First')).to_have_count(0)
    logged = server.api('GET', f"/contacts/{eve['id']}/outreach")[1]['items']
    assert [o['summary'] for o in logged] == ['Ann suggested I write to you.'], logged


def hostile_links(browser, server):
    """A crafted link cannot point the front at another API, and an address that is not http(s)
    (a restore takes rows as exported; issue 27 puts them through the rules) is never a link."""
    status, _, _ = server.api('POST', '/users', {'name': 'restorer', 'role': 'member', 'password': PASSWORD})
    assert status == 201
    _, signed, _ = server.api('POST', '/sessions', {'name': 'restorer', 'password': PASSWORD})
    token = signed['token']
    _, export, _ = server.api('GET', '/export', token=token)
    export['leads'] = [{'id': 1, 'title': 'Evil lead', 'organization_id': None, 'contact_id': None, 'url': 'javascript:alert(4)',
                       'source': 'posting', 'status': 'found', 'notes': None, 'created_at': export['exported_at'],
                       'updated_at': export['exported_at'], 'version': 1}]
    restored, _, _ = server.api('POST', '/imports/json', export, token=token)
    context = browser.new_context(timezone_id='UTC')
    page = context.new_page()
    hosts, dialogs = set(), []
    page.on('request', lambda r: hosts.add(r.url.split('/')[2]))
    page.on('dialog', lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f'{server.url}/?api=http://127.0.0.1:9#/signin')
    page.get_by_label('Name', exact=True).fill('restorer')
    page.get_by_label('Password', exact=True).fill(PASSWORD)
    page.get_by_role('button', name='Sign in', exact=True).click()
    harness.heading(page, 'Today')
    assert '?api=' in page.url
    assert hosts == {f'127.0.0.1:{server.port}'}, hosts
    if restored == 201:
        page.goto(f'{server.url}/#/knowledge')
        heading(page, 'Knowledge')
        lead = page.locator('.lead-column li', has_text='Evil lead')
        expect(lead).to_be_visible()
        assert lead.locator('a').count() == 0 and page.locator('a[href^="javascript"]').count() == 0
        lead.click(position={'x': 5, 'y': 5})
        page.wait_for_timeout(200)
    assert dialogs == [], dialogs
    context.close()


def data_and_settings(page, server):
    """Exports download, a calendar feed's address works, a profile and an API token are made,
    and a new password is the one that signs in."""
    page.goto(f'{server.url}/#/data')
    heading(page, 'Data')
    with page.expect_download() as download:
        page.get_by_role('button', name='Contacts (CSV)').click()
    assert download.value.suggested_filename == 'contacts.csv'
    with open(download.value.path(), encoding='utf-8') as f:
        csv = f.read()
    assert csv.splitlines()[0].startswith('id,name,title,organization,'), csv[:200]
    assert 'Ann Example wide' in csv
    with page.expect_download() as download:
        page.get_by_role('button', name='Whole account (JSON)').click()
    with open(download.value.path(), encoding='utf-8') as f:
        exported = json.load(f)
    assert any(c['name'] == 'Ann Example wide' for c in exported['contacts'])
    page.get_by_role('button', name='Make a feed address').click()
    feed = page.get_by_label('Subscribe to this address (shown only now)').input_value()
    assert feed.startswith(server.url + '/calendar/') and feed.endswith('.ics'), feed
    with urllib.request.urlopen(feed, timeout=10) as response:
        assert response.status == 200 and response.read().startswith(b'BEGIN:VCALENDAR')
    expect(page.get_by_role('region', name='Calendar feed').get_by_role('button', name='Revoke')).to_have_count(1)

    page.goto(f'{server.url}/#/settings')
    heading(page, 'Settings')
    profile = form(page, 'Profile')
    profile.get_by_label('Your name, as pitches say it').fill('Olive Owner')
    profile.get_by_label('Time zone').select_option('Europe/Brussels')
    profile.get_by_role('button', name='Save').click()
    expect(page.locator('#who')).to_contain_text('Olive Owner')
    eventually(lambda: server.api('GET', '/me')[1]['time_zone'], 'Europe/Brussels', 'the time zone')
    # This server sends no mail: the digest form says why, beside nothing stored; the preview
    # still shows today's; a confirmation link with a wrong code says it did not confirm.
    digest = form(page, 'Send me a digest')
    digest.get_by_label('Email address').fill('olive@example.org')
    digest.get_by_label('Saturday').check()
    digest.get_by_role('button', name='Start the digest').click()
    expect(digest.locator('.problem')).to_contain_text('This server sends no mail')
    assert server.api('GET', '/me')[1]['digest'] is None
    page.get_by_role('button', name="Preview today's digest").click()
    expect(page.locator('pre.digest-preview')).to_contain_text('Your day,')
    page.goto(f'{server.url}/#/settings?digest_code=dc_wrong')
    expect(page.locator('.flash')).to_contain_text('The digest was not confirmed')
    heading(page, 'Settings')
    page.get_by_label('Name (what will use it)').fill('my script')
    page.get_by_role('button', name='Make an API token').click()
    token = page.get_by_label('The token (shown only now: copy it)').input_value()
    status, me, _ = server.api('GET', '/me', token=token)
    assert status == 200 and me['name'] == 'owner'
    password = form(page, 'Change password')
    password.get_by_label('Current password').fill(PASSWORD)
    password.get_by_label('New password (at least 12 characters)').fill('a new and longer passphrase')
    password.get_by_role('button', name='Change password').click()
    expect(page.locator('.flash')).to_contain_text('Password saved')
    expect(page.get_by_role('status')).to_contain_text('Password saved')
    status, _, _ = server.api('POST', '/sessions', {'name': 'owner', 'password': 'a new and longer passphrase'})
    assert status == 201
    return 'a new and longer passphrase'


def no_horizontal_scroll(page, width):
    wide = page.evaluate('''(width) => [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-wrap, .graph-wrap'))
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)''', width)
    assert not wide, f'{page.url} is wider than {width}px: {wide[:5]}'


def markup_stays_text(page, server, token):
    base = server.url
    dialogs = []
    page.on('dialog', lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f'{base}/#/contacts?new=1')
    heading(page, 'Contacts')
    f = form(page, 'New contact')
    f.get_by_label('Name', exact=True).fill('<img src=x onerror=alert(1)>')
    f.get_by_label('Notes').fill('<script>alert(2)</script> and <b>bold</b>')
    f.get_by_label('Tags (comma-separated)').fill('<svg onload=alert(3)>')
    f.get_by_role('button', name='Create').click()
    heading(page, '<img src=x onerror=alert(1)>')
    expect(page.locator('main h1')).to_have_text('<img src=x onerror=alert(1)>')
    expect(page.get_by_label('Notes')).to_have_value('<script>alert(2)</script> and <b>bold</b>')
    page.goto(f'{base}/#/contacts')
    heading(page, 'Contacts')
    expect(page.get_by_role('link', name='<img src=x onerror=alert(1)>')).to_be_visible()
    page.goto(f'{base}/#/search?q=onerror')
    heading(page, 'Search: onerror')
    expect(page.locator('main li', has_text='<img src=x')).to_be_visible()
    page.goto(f'{base}/#/today')
    heading(page, 'Today')
    assert page.locator('main img, main script, main svg[onload], main b').count() == 0
    page.wait_for_timeout(300)
    assert dialogs == [], f'a dialog opened: {dialogs}'


def stale_edit(browser, server, ann):
    context = browser.new_context(timezone_id='UTC')
    first = context.new_page()
    sign_in(first, server.url, remember=True)
    second = context.new_page()
    for page in (first, second):
        page.goto(f'{server.url}/#/contacts/{ann}')
        page.get_by_role('form', name='Edit contact').wait_for()
    first.get_by_role('form', name='Edit contact').get_by_label('Title').fill('Senior soil scientist')
    first.get_by_role('form', name='Edit contact').get_by_role('button', name='Save').click()
    expect(first.get_by_role('status')).to_have_text('Saved.')
    edit = second.get_by_role('form', name='Edit contact')
    edit.get_by_label('Title').fill('Lab director')
    edit.get_by_role('button', name='Save').click()
    expect(second.get_by_role('heading', name='Changed elsewhere')).to_be_visible()
    expect(second.locator('.stale')).to_contain_text('Stored: Senior soil scientist')
    expect(second.locator('.stale')).to_contain_text('Yours: Lab director')
    assert server.api('GET', f'/contacts/{ann}')[1]['title'] == 'Senior soil scientist'
    second.get_by_role('button', name='Apply my edit on top').click()
    expect(second.locator('.stale')).to_have_count(0)
    expect(second.get_by_role('status')).to_have_text('Saved.')
    eventually(lambda: server.api('GET', f'/contacts/{ann}')[1]['title'], 'Lab director', 'the title applied on top')

    step('a lost connection keeps what was typed')
    second.route('**/contacts/*', lambda route: route.abort() if route.request.method == 'PATCH' else route.continue_())
    edit.get_by_label('Location').fill('Ghent, Belgium')
    edit.get_by_role('button', name='Save').click()
    expect(edit.locator('.problem')).to_contain_text('could not be reached')
    expect(edit.get_by_label('Location')).to_have_value('Ghent, Belgium')
    second.unroute('**/contacts/*')
    second.route('**/contacts/*', lambda route: route.fulfill(status=503, content_type='application/problem+json',
                 body='{"type":"urn:foothold:problem:overloaded","title":"Service Unavailable","status":503,"code":"overloaded","detail":"busy"}')
                 if route.request.method == 'PATCH' else route.continue_())
    edit.get_by_role('button', name='Save').click()
    expect(edit.locator('.problem')).to_contain_text('what you typed is still here')
    second.unroute('**/contacts/*')
    edit.get_by_role('button', name='Save').click()
    eventually(lambda: server.api('GET', f'/contacts/{ann}')[1]['location'], 'Ghent, Belgium', 'the location saved after the outage')
    expect(second.get_by_role('status')).to_have_text('Saved.')
    context.close()


def field_errors(page, server):
    page.goto(f'{server.url}/#/areas')
    heading(page, 'Interest areas')
    f = form(page, 'New area')
    f.get_by_label('Name').fill('Priority test')
    f.get_by_label('Priority (1–5)').fill('9')
    f.get_by_role('button', name='Create').click()
    error = f.locator('[data-field="priority"] .field-error')
    expect(error).not_to_be_empty()
    expect(f.get_by_label('Priority (1–5)')).to_have_attribute('aria-invalid', 'true')
    expect(f.get_by_label('Priority (1–5)')).to_be_focused()
    assert all(i['name'] != 'Priority test' for i in server.api('GET', '/interests')[1]['items'])
    # An organization is chosen by name among the account's own; an unknown one is said so.
    page.goto(f'{server.url}/#/contacts?new=1')
    heading(page, 'Contacts')
    f = form(page, 'New contact')
    f.get_by_label('Name', exact=True).fill('Fay Nowhere')
    f.get_by_label('Organization').fill('Nope Org')
    f.get_by_role('button', name='Create').click()
    expect(f.locator('[data-field="organization_id"] .field-error')).to_have_text('No organization is named Nope Org: choose one from the suggestions.')
    expect(f.get_by_label('Organization')).to_be_focused()
    assert server.api('GET', '/contacts?q=Fay')[1]['items'] == []
    f.get_by_label('Organization').fill('terra')
    expect(f.locator('datalist option[value="Terra Labs wide"]')).to_have_count(1)
    f.get_by_label('Organization').fill('Terra Labs wide')
    f.get_by_role('button', name='Create').click()
    heading(page, 'Fay Nowhere')
    fay = server.api('GET', '/contacts?q=Fay')[1]['items'][0]
    assert fay['organization']['name'] == 'Terra Labs wide', fay


def open_fresh(page, url):
    """Opens `url` and waits for the page it renders, not the one it replaces."""
    page.evaluate("() => { const old = document.querySelector('#main > .page'); if (old) old.dataset.stale = '1'; }")
    visit(page, url)
    page.locator('#main > .page:not([data-stale]) h1, #main > h1').first.wait_for()


def accessibility(page, server, label, extra=(), pages=PAGES):
    axe = Axe()
    problems = []
    for scheme in ('light', 'dark'):
        page.emulate_media(color_scheme=scheme)
        for path in list(pages) + list(extra):
            open_fresh(page, f'{server.url}/#{path}')
            page.wait_for_timeout(150)
            result = axe.run(page)
            for violation in result.response['violations']:
                if violation['impact'] in ('serious', 'critical'):
                    targets = [n['target'] for n in violation['nodes']][:3]
                    problems.append(f"{label} {scheme} {path}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    page.emulate_media(color_scheme='light')
    assert not problems, '\n'.join(problems)


def invite_student(owner_page, browser, server):
    owner_page.goto(f'{server.url}/#/admin')
    heading(owner_page, 'Accounts')
    owner_page.get_by_role('button', name='Make an invitation').click()
    link = owner_page.get_by_label('Send this link (shown only now; works once, for 7 days)').input_value()
    context = browser.new_context(viewport={'width': 360, 'height': 740}, timezone_id='UTC', is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(link)
    heading(page, 'Accept an invitation')
    page.get_by_label('Name', exact=True).fill('student@centre.example')
    page.get_by_label('Password', exact=True).fill(PASSWORD)
    page.get_by_role('button', name='Open my account').click()
    heading(page, 'Today')
    status, session, _ = server.api('POST', '/sessions', {'name': 'student@centre.example', 'password': PASSWORD})
    assert status == 201
    return context, page, session['token']


def coach_reads_along(owner_page, student_page, server):
    student_page.goto(f'{server.url}/#/settings')
    heading(student_page, 'Settings')
    f = form(student_page, 'Share my search')
    f.get_by_label('Their sign-in name').fill('owner')
    f.get_by_label('They may').select_option('coach')
    f.get_by_role('button', name='Share').click()
    expect(student_page.get_by_text('owner (coach)')).to_be_visible()
    owner_page.goto(f'{server.url}/#/settings')
    heading(owner_page, 'Settings')
    owner_page.get_by_role('button', name="Read student@centre.example's search").click()
    heading(owner_page, 'Today')
    expect(owner_page.locator('#banner')).to_contain_text("Reading student@centre.example's search, read-only")
    expect(owner_page.locator('.agenda-item.kind-contact_referral')).to_be_visible()
    expect(owner_page.get_by_role('button', name='Dismiss')).to_have_count(0)
    owner_page.goto(f'{server.url}/#/contacts')
    heading(owner_page, 'Contacts')
    expect(owner_page.get_by_text('New contact')).to_have_count(0)
    expect(owner_page.get_by_role('link', name='Ann Example small')).to_be_visible()
    owner_page.goto(f'{server.url}/#/today')
    heading(owner_page, 'Today')
    owner_page.goto(f'{server.url}/#/settings')
    heading(owner_page, 'Your own account')
    expect(owner_page.get_by_role('button', name='Back to my own search')).to_have_count(2)
    owner_page.goto(f'{server.url}/#/today')
    heading(owner_page, 'Today')
    f = form(owner_page, 'Leave a note')
    f.get_by_label('A note for student@centre.example').fill('Ask Ann whom else at Terra Labs to meet.')
    f.get_by_role('button', name='Leave note').click()
    expect(owner_page.get_by_role('status')).to_contain_text('Note left')
    owner_page.get_by_role('button', name='Back to my own search').click()
    heading(owner_page, 'Today')
    expect(owner_page.locator('#banner')).to_be_hidden()
    student_page.goto(f'{server.url}/#/today')
    heading(student_page, 'Today')
    note = student_page.locator('.agenda-item.kind-coach_note')
    expect(note).to_contain_text('Ask Ann whom else at Terra Labs to meet.')
    expect(note).to_contain_text('— owner')


def sign_out(page, server):
    page.get_by_role('button', name='Sign out').click()
    heading(page, 'Sign in')
    page.goto(f'{server.url}/#/contacts')
    heading(page, 'Sign in')


def cross_origin(browser):
    api_port, front_port = Server.__init__.__globals__['free_port'](), Server.__init__.__globals__['free_port']()
    api = Server(BINARY, '--no-web', '--cors-origins', f'http://127.0.0.1:{front_port}', port=api_port)
    front = Server(BINARY, '--web-api-origin', f'http://127.0.0.1:{api_port}', port=front_port, password=False)
    try:
        context = browser.new_context(timezone_id='UTC')
        page = context.new_page()
        hosts = set()
        page.on('request', lambda r: hosts.add(r.url.split('/')[2]) if '/js/' not in r.url and not r.url.endswith(('.css', '.svg', '/')) else None)
        response = page.goto(front.url + '/')
        assert f'connect-src \'self\' http://127.0.0.1:{api_port};' in response.headers['content-security-policy']
        sign_in(page, front.url)
        page.goto(f'{front.url}/#/contacts')
        heading(page, 'Contacts')
        assert hosts == {f'127.0.0.1:{api_port}'}, hosts
        assert api.api('GET', '/tokens')[1]['items'][0]['kind'] in ('session', 'api')
        status, _, _ = front.api('GET', '/health')
        assert status == 200
        context.close()
    finally:
        api.stop()
        front.stop()


def main():
    server = Server(BINARY)
    failures = 0
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={'width': 1280, 'height': 900}, timezone_id='UTC')
        page = context.new_page()
        errors = []
        page.on('pageerror', lambda e: errors.append(str(e)))
        try:
            print('journey at 1280 px', flush=True)
            sign_in(page, server.url)
            token = server.token
            ids = journey(page, server, token, 'wide')
            if SHOTS:
                os.makedirs(SHOTS, exist_ok=True)
                page.set_viewport_size({'width': 1280, 'height': 800})
                shots = [('today', '/today'), ('contacts', '/contacts'), ('contact', f"/contacts/{ids['ann']}"),
                         ('pitch', f"/pitch/{ids['pitch']}?contact_id={ids['ann']}"), ('meeting', f"/meetings/{ids['meeting']}"),
                         ('area-report', f"/areas/{ids['area']}"), ('focus', '/focus'), ('knowledge', '/knowledge')]
                for name, path in shots:
                    page.goto(f'{server.url}/#{path}')
                    page.locator('main h1').first.wait_for()
                    page.wait_for_timeout(400)
                    page.screenshot(path=os.path.join(SHOTS, f'{name}.png'), full_page=True)
            print('3B7: a second contact chosen on Today', flush=True)
            second_contact(page, server)
            print('Today in pages of 50', flush=True)
            today_in_pages(page, server)
            print('field errors beside their fields', flush=True)
            field_errors(page, server)
            print('markup in user data stays text', flush=True)
            markup_stays_text(page, server, token)
            print('two tabs edit one contact', flush=True)
            stale_edit(browser, server, ids['ann'])
            print('journey at 360 px, for an invited student', flush=True)
            student_context, student, student_token = invite_student(page, browser, server)
            student.on('pageerror', lambda e: errors.append(str(e)))
            small = journey(student, server, student_token, 'small', drag=False)
            for path in PAGES[:-1]:
                open_fresh(student, f'{server.url}/#{path}')
                no_horizontal_scroll(student, 360)
            print('a coach reads along and leaves a note', flush=True)
            coach_reads_along(page, student, server)
            print('axe-core on every page, light and dark', flush=True)
            details = lambda ids: [f"/contacts/{ids['ann']}", f"/meetings/{ids['meeting']}", f"/areas/{ids['area']}",
                                   f"/pitch/{ids['pitch']}?contact_id={ids['ann']}", '/search?q=Ann']
            accessibility(page, server, '1280px', details(ids))
            accessibility(student, server, '360px', details(small))
            signed_out = browser.new_context(timezone_id='UTC').new_page()
            signed_out.goto(f'{server.url}/#/signin')
            accessibility(signed_out, server, 'signed out', ['/signin', '/accept?code=abc'], pages=())
            signed_out.context.close()
            if SHOTS:
                page.emulate_media(color_scheme='dark')
                page.goto(f"{server.url}/#/meetings/{ids['meeting']}")
                page.locator('main h1').first.wait_for()
                page.wait_for_timeout(300)
                page.screenshot(path=os.path.join(SHOTS, 'meeting-dark.png'))
                page.emulate_media(color_scheme='light')
                student.goto(f'{server.url}/#/today')
                student.locator('main h1').first.wait_for()
                student.wait_for_timeout(300)
                student.screenshot(path=os.path.join(SHOTS, 'today-360.png'), full_page=True)
            print('exports, a calendar feed, profile, token and password', flush=True)
            new_password = data_and_settings(page, server)
            print('sign out, and in with the new password', flush=True)
            sign_out(page, server)
            sign_in(page, server.url, password=new_password)
            student_context.close()
            print('crafted links: another API in the URL, a javascript: address', flush=True)
            hostile_links(browser, server)
            print('the files from another origin, against --cors-origins', flush=True)
            cross_origin(browser)
            assert not errors, f'uncaught errors in pages: {errors}'
        except Exception:
            failures += 1
            os.makedirs(FAILURE_SHOTS, exist_ok=True)
            for i, open_page in enumerate(p for c in browser.contexts for p in c.pages):
                try:
                    open_page.screenshot(path=os.path.join(FAILURE_SHOTS, f'page{i}.png'), full_page=True)
                except Exception:
                    pass
            print(f'FAILED; screenshots in {FAILURE_SHOTS}; server log: {server.dir}/stderr.log', flush=True)
            raise
        finally:
            browser.close()
            if not failures:
                server.stop()
    print('browser tests passed', flush=True)


if __name__ == '__main__':
    start = time.time()
    main()
    print(f'in {time.time() - start:.1f} s')
