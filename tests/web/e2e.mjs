// e2e.mjs - the hub's web page in a real browser (Debian's chromium driven
// by playwright-core): the scenario of issue #15 end to end against a hub
// that tests/cli/web_ui.sh started, axe-core on every page, and a
// screenshot of every page in both languages (and at 375 px) in $WB_SHOTS.
//
// Environment: WB_URL (the hub), WB_KEY_A / WB_KEY_B / WB_KEY_CSIRT /
// WB_KEY_ADMIN (API keys of a member of organisation A, of B, of the
// CSIRT and of the site admin), WB_EMAIL_A, WB_SHOTS (a directory),
// WB_CHROMIUM (the browser). Prints "ok NAME" / "FAIL NAME" lines and exits
// 1 when anything failed.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const URL0 = process.env.WB_URL;
const SHOTS = process.env.WB_SHOTS;
const K = { a: process.env.WB_KEY_A, b: process.env.WB_KEY_B, csirt: process.env.WB_KEY_CSIRT, admin: process.env.WB_KEY_ADMIN };
const tag = Date.now().toString(36);
let failed = 0;
const t0 = Date.now();

// The page has finished drawing what the hub answered, for the address it
// is at now: app.js marks <main> with the address it drew (data-shown),
// so a page left over from the address before never counts as ready.
const READY = () => {
  const m = document.querySelector('main');
  return m.getAttribute('aria-busy') === 'false' && m.getAttribute('data-shown') === location.hash && !m.querySelector('.loading');
};
// Generous waits: the test shares a 2-core machine with builds (load
// 15-20); a wait ends as soon as its condition holds, so they cost
// nothing on a quiet machine and check no less on a busy one.
const WAIT = 45000;

function ok(name) { console.log(`ok   ${name}`); }
function bad(name, why) { failed += 1; console.log(`FAIL ${name}${why ? `: ${why}` : ''}`); }
function check(name, cond, why) { if (cond) ok(name); else bad(name, why); }
// Each step's time is printed: on a loaded machine it shows which waits
// grow.
async function step(name, fn) {
  const t1 = Date.now();
  try { await fn(); } catch (e) { bad(name, e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : String(e)); }
  console.log(`#    ${((Date.now() - t1) / 1000).toFixed(1)} s: ${name}`);
}

mkdirSync(SHOTS, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.WB_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
async function newCtx(opts) {
  const c = await browser.newContext(opts);
  c.setDefaultTimeout(WAIT);
  return c;
}

const DOC_SHOTS = ['signin-nl', 'events-en', 'events-en-375', 'event-en', 'event-new-red-en', 'lookup-nl', 'sightings-en',
  'incident-en', 'incident-csirt-nl', 'incidents-en', 'assessment-nl', 'admin-en', 'event-objects-en', 'incident-share-en',
  'incident-proposal-csirt-en', 'vuln-scan-en', 'event-objects-new-en'];
const axeSeen = new Map(); // page name -> serious/critical violations
async function axe(page, name) {
  await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeSeen.set(name, serious.map((v) => `${v.id} (${v.nodes.length}: ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')})`));
}

// A signed-in browser context (the user's own cookies), in a language.
async function session(key, lang = 'en', width = 1200) {
  const ctx = await newCtx({ viewport: { width, height: 900 }, locale: lang === 'nl' ? 'nl-NL' : 'en-GB', acceptDownloads: true });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) page.errors.push(m.text()); });
  await page.goto(`${URL0}/`);
  await page.waitForSelector('#signin-key-form');
  await page.fill('#signin-key-form input[name=key]', key);
  await page.click('#signin-key-form button[type=submit]');
  await page.waitForSelector('#signout');
  return page;
}

async function go(page, hash, waitFor) {
  const to = `${URL0}/${hash}`;
  // A change of the fragment alone does not load the page again; the
  // same fragment not even that: reload so the page shows the hub's now.
  if (page.url() === to) await page.reload();
  else await page.goto(to);
  await page.waitForFunction(READY, null, { timeout: WAIT });
  if (waitFor) await page.waitForSelector(waitFor, { timeout: WAIT });
}

// Every page, both languages: a screenshot, and axe-core on it.
async function shoot(page, name, part) {
  await page.waitForFunction(READY, null, { timeout: WAIT });
  const lang = await page.evaluate(() => document.documentElement.lang);
  const w = page.viewportSize().width;
  const file = `${name}-${lang}${w < 500 ? '-375' : ''}`;
  // With part, the picture is of the section it is about (the rest of
  // that page has its own pictures; a full picture of a long page is slow
  // to make on a loaded machine); axe-core and the checks below still look
  // at the whole page.
  if (part) await page.locator(part).first().screenshot({ path: `${SHOTS}/${file}.png` });
  else await page.screenshot({ path: `${SHOTS}/${file}.png`, fullPage: true });
  // The ones docs/web.md shows: what the window shows, or the part.
  if (process.env.WB_DOC_SHOTS && DOC_SHOTS.includes(file)) {
    if (part) await page.locator(part).first().screenshot({ path: `${process.env.WB_DOC_SHOTS}/${file}.png` });
    else await page.screenshot({ path: `${process.env.WB_DOC_SHOTS}/${file}.png` });
  }
  await axe(page, `${name}-${lang}${w < 500 ? '-375' : ''}`);
  // No text runs out of the page sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 1) bad(`${name}-${lang}-${w}: no horizontal overflow`, `${overflow} px`);
  // Every catalogue key is found: a missing one shows as its key.
  const raw = await page.evaluate(() => {
    const c = document.body.cloneNode(true);
    c.querySelectorAll('code, .value, .mono').forEach((e) => e.remove()); // data, not text
    return c.textContent.match(/\b(?:[a-z]+\.){1,3}[a-zA-Z0-9-]+\b/g) || [];
  });
  const keys = JSON.parse(readFileSync(new URL('../../web/i18n/en.json', import.meta.url)));
  const missing = raw.filter((s) => s in keys);
  if (missing.length) bad(`${name}-${lang}: every string translated`, missing.slice(0, 5).join(', '));
  const junk = await page.evaluate(() => (document.querySelector('main').innerText.match(/\b(?:null|undefined|NaN)\b|\[object Object\]/g) || []).join(' '));
  if (junk) bad(`${name}-${lang}: no null, undefined or NaN shown`, junk);
}

// The page as it is at 375 px wide (axe-core, no sideways scrolling), and
// back to the width it had.
async function narrow(page, name, part) {
  const was = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 800 });
  await shoot(page, name, part);
  await page.setViewportSize(was);
}

async function setLang(page, lang) {
  const cur = await page.evaluate(() => document.documentElement.lang);
  if (cur !== lang) {
    await page.click('button.lang');
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    await page.waitForFunction(READY);
  }
}

async function both(page, name, part) {
  for (const lang of ['en', 'nl']) {
    await setLang(page, lang);
    await shoot(page, name, part);
  }
  await setLang(page, 'en');
}

// A signs in with a password; B follows the one-time link an
// administrator printed and chooses a password; the others use keys.
async function passwordSession(email, password, lang = 'en') {
  const ctx = await newCtx({ viewport: { width: 1200, height: 900 }, locale: lang === 'nl' ? 'nl-NL' : 'en-GB', acceptDownloads: true });
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${URL0}/`);
  await page.waitForSelector('#signin-form');
  await page.fill('#signin-form input[name=email]', email);
  await page.fill('#signin-form input[name=password]', password);
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#signout');
  return page;
}
const A = await passwordSession(process.env.WB_EMAIL_A, process.env.WB_PASS_A);
// The CSIRT's analyst: one session, signed in when first needed, for the
// steps that need the CSIRT's view.
let csirtPage = null;
async function csirt() {
  if (!csirtPage) csirtPage = await session(K.csirt);
  return csirtPage;
}
ok('A signs in with a password');
let B;
await step('B sets a password through the one-time link', async () => {
  const ctx = await newCtx({ viewport: { width: 1200, height: 900 }, locale: 'en-GB' });
  B = await ctx.newPage();
  B.errors = [];
  B.on('pageerror', (e) => B.errors.push(e.message));
  await B.goto(process.env.WB_LINK_B);
  await B.waitForSelector('main form input[type=password]');
  await both(B, 'first-login');
  const [p1, p2] = await B.$$('main form input[type=password]');
  await p1.fill('short');
  const err = await p1.evaluate((e) => document.getElementById(`${e.id}-err`).textContent);
  check('a short password is flagged while typing', /12/.test(err), err);
  await p1.fill('a long enough passphrase');
  await p2.fill('a long enough passphrase');
  await B.click('main form button[type=submit]');
  await B.waitForSelector('#signout');
  ok('B is signed in after choosing a password');
  const again = await B.evaluate(async (tok) => (await fetch('/api/v1/session/first-login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: tok, password: 'another long passphrase' }) })).status,
    new URL(process.env.WB_LINK_B).hash.split('token=')[1]);
  check('the link works only once', again === 401, String(again));
});
if (!B) B = await session(K.b);
const amberTitle = `Amber community event ${tag}`;
const strictTitle = `Strict own-org event ${tag}`;
const amberValue = `amber-${tag}.example`;
const strictValue = `strict-${tag}.example`;
let strictUuid = '';
let amberUuid = '';

// The sign-in page, before anyone signs in.
await step('sign-in page', async () => {
  const ctx = await newCtx({ viewport: { width: 1200, height: 900 }, locale: 'nl-NL' });
  const p = await ctx.newPage();
  await p.goto(`${URL0}/`);
  await p.waitForSelector('#signin-form');
  check('browser language chooses Dutch', (await p.evaluate(() => document.documentElement.lang)) === 'nl');
  await both(p, 'signin');
  await p.setViewportSize({ width: 375, height: 800 });
  await shoot(p, 'signin');
  // A wrong key: the page says so, in words.
  await p.fill('#signin-key-form input[name=key]', 'f'.repeat(64));
  await p.click('#signin-key-form button[type=submit]');
  await p.waitForFunction(() => document.querySelector('#signin-error').textContent.length > 0);
  ok('a wrong key is refused with a message');
  await ctx.close();
});

async function createEvent(page, title, level, dist, value) {
  await go(page, '#/events/new', '#event-form');
  await page.fill('#event-form .field input[type=text]', title);
  await page.check(`input[name=tlp][value="${level}"]`);
  await page.check(`input[name=distribution][value="${dist}"]`);
  await page.selectOption('.attr-row select', 'domain');
  await page.fill('.attr-row input[type=text]', value);
  await page.click('#save-event');
  await page.waitForURL(/#\/events\/[0-9a-f-]{36}$/);
  await page.waitForSelector('h1');
  return page.url().split('/').pop();
}

await step('member of A creates a TLP:AMBER event for this community', async () => {
  await go(A, '#/events/new', '#event-form');
  await both(A, 'event-new');
  // RED allows only this organisation or a sharing group: 1-3 disabled, explained.
  await A.check('input[name=tlp][value="red"]');
  const disabled = await A.$$eval('input[name=distribution]', (xs) => xs.filter((x) => x.disabled).map((x) => x.value));
  check('TLP:RED disables community distributions', JSON.stringify(disabled) === '["1","2","3"]', JSON.stringify(disabled));
  const why = await A.$eval('fieldset.choices + p.hint, fieldset.choices ~ p.hint', (e) => e.textContent);
  check('the reason is shown', /TLP:RED/.test(why), why);
  await shoot(A, 'event-new-red');
  amberUuid = await createEvent(A, amberTitle, 'amber', 1, amberValue);
  check('AMBER event created', /^[0-9a-f-]{36}$/.test(amberUuid), amberUuid);
  await A.click('#publish');
  await A.waitForFunction(() => !document.querySelector('#publish'));
  ok('event published');
});

await step('member of A creates a TLP:AMBER+STRICT event for the own organisation', async () => {
  strictUuid = await createEvent(A, strictTitle, 'amber+strict', 0, strictValue);
  check('AMBER+STRICT event created', /^[0-9a-f-]{36}$/.test(strictUuid), strictUuid);
  await go(A, '#/events', 'table.rows');
  const text = await A.textContent('main');
  check('A lists both of its events', text.includes(amberTitle) && text.includes(strictTitle));
  await both(A, 'events');
  await A.setViewportSize({ width: 375, height: 800 });
  await shoot(A, 'events');
  await go(A, `#/events/${strictUuid}`, 'h1');
  await shoot(A, 'event');
  await A.setViewportSize({ width: 1200, height: 900 });
});

await step('member of B finds the AMBER event, not the AMBER+STRICT one', async () => {
  await go(B, '#/events', 'table.rows');
  let text = await B.textContent('main');
  check('B: AMBER event in the list', text.includes(amberTitle));
  check('B: AMBER+STRICT event not in the list', !text.includes(strictTitle));
  await go(B, `#/events?value=${encodeURIComponent(amberValue)}`, 'table.rows');
  text = await B.textContent('main');
  check('B: search by value finds the AMBER event', text.includes(amberTitle));
  await go(B, `#/events?value=${encodeURIComponent(strictValue)}`);
  text = await B.textContent('main');
  check('B: search by value does not find the AMBER+STRICT event', !text.includes(strictTitle) && /No event|Geen event/.test(text), text.slice(0, 200));
  await go(B, '#/lookup', '#lookup-values');
  await B.fill('#lookup-values', `${amberValue}\n${strictValue}\n198.51.100.99`);
  await B.click('#lookup-go');
  await B.waitForFunction(READY);
  await B.waitForSelector('main table.rows');
  text = await B.textContent('main table.rows');
  check('B: look-up finds the AMBER value', text.includes(amberTitle));
  check('B: look-up does not find the AMBER+STRICT value', !text.includes(strictTitle));
  const rows = await B.$$eval('main table.rows tbody tr', (trs) => trs.map((tr) => tr.textContent));
  check('B: the strict value is "not found"', rows.some((r) => r.includes(strictValue) && /not found/.test(r)), rows.join(' / '));
  await both(B, 'lookup');
  await go(B, `#/events/${strictUuid}`);
  text = await B.textContent('main');
  check('B: the AMBER+STRICT event by URL is not found', /Not found, or not shared|Niet gevonden/.test(text) && !text.includes(strictTitle), text.slice(0, 200));
  const status = await B.evaluate(async (u) => (await fetch(`/api/v1/events/${u}`)).status, strictUuid);
  check('B: the API answers 404 for it too', status === 404, String(status));
  await go(B, `#/events/${amberUuid}`, 'h1');
  // A sighting by B, seen in the chart.
  await B.click('main table.rows tbody tr button');
  await B.waitForFunction(() => /Sighting reported/.test(document.querySelector('main table.rows tbody tr button').textContent));
  ok('B reports a sighting');
  await go(A, `#/events/${amberUuid}`, 'svg.chart');
  ok('A sees the sighting as a chart');
  await both(A, 'event');
});

// The sightings page through GET /api/v1/sightings (not one event's
// sightings): every event's sightings without choosing one, per
// organisation by name (A made the event) and per indicator by value, and
// the filters narrowing it.
await step('sightings page through /api/v1/sightings', async () => {
  const asked = [];
  const seen = (r) => { const u = new URL(r.url()); if (u.pathname.startsWith('/api/v1/')) asked.push(u.pathname); };
  A.on('request', seen);
  const cells = (caption) => A.$$eval('main table.rows', (ts, c) => {
    const tb = ts.find((x) => x.caption && x.caption.textContent === c);
    return tb ? [...tb.tBodies[0].rows].map((r) => [...r.cells].map((d) => d.textContent)) : null;
  }, caption);
  await go(A, '#/sightings', 'svg.chart');
  const orgs = await cells('Per organisation');
  const vals = await cells('Per indicator');
  check('sightings of every event, per organisation: Bravo-Zorg 1', JSON.stringify(orgs) === '[["Bravo-Zorg","1"]]', JSON.stringify(orgs));
  check('per indicator: the sighted value, 1', JSON.stringify(vals) === JSON.stringify([[amberValue, '1']]), JSON.stringify(vals));
  check('asked GET /api/v1/sightings, not an event\'s sightings', asked.includes('/api/v1/sightings') && !asked.some((p) => /\/events\/[^/]+\/sightings$/.test(p)), asked.join(' '));
  await both(A, 'sightings');
  await go(A, '#/sightings?org=Alfa-Energie');
  check('filtered to an organisation without sightings: none', /No sightings you may see/.test(await A.textContent('main')) && !(await A.$('main svg.chart')));
  await go(A, `#/sightings?event=${strictUuid}`);
  check('filtered to an event without sightings: none', /No sightings you may see/.test(await A.textContent('main')));
  await go(A, `#/sightings?event=${amberUuid}&value=${encodeURIComponent(amberValue)}`, 'svg.chart');
  check('filtered to the event and value: the sighting', JSON.stringify(await cells('Per indicator')) === JSON.stringify([[amberValue, '1']]));
  A.off('request', seen);
});

// MISP objects from the templates the page offers: the template's "one of
// these" rule checked in the page, values checked as typed, the objects
// stored with their template and relations, shown on the event's page.
await step('member of A adds objects (file, domain-ip) to an event', async () => {
  await go(A, `#/events/${amberUuid}/edit`, '#event-form');
  await A.selectOption('#object-template', 'file');
  await A.click('#add-object');
  await A.selectOption('#object-template', 'domain-ip');
  await A.click('#add-object');
  const file = 'fieldset.object-row[data-template="file"]';
  const dip = 'fieldset.object-row[data-template="domain-ip"]';
  await A.fill(`${file} input[data-rel=sha256]`, 'abc');
  check('a short sha256 is flagged while typing', /64/.test(await A.$eval(`${file} input[data-rel=sha256]`, (e) => document.getElementById(`${e.id}-err`).textContent)));
  await A.fill(`${file} input[data-rel=sha256]`, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  await A.fill(`${file} input[data-rel=filename]`, `dropper-${tag}.exe`);
  await A.fill(`${dip} input[data-rel=port]`, '443');
  await A.click('#save-event');
  const oneOf = await A.$eval(`${dip} p.error`, (e) => e.textContent);
  check('domain-ip without domain, hostname or ip is refused in the page', /domain, hostname, ip/.test(oneOf), oneOf);
  await A.fill(`${dip} input[data-rel=domain]`, `c2-${tag}.example`);
  await A.fill(`${dip} input[data-rel=ip]`, '203.0.113.7');
  await shoot(A, 'event-objects-new', 'div.object-rows');
  await narrow(A, 'event-objects-new', 'div.object-rows');
  await A.click('#save-event');
  await A.waitForURL(new RegExp(`#/events/${amberUuid}$`));
  await A.waitForFunction(READY);
  const ev = await A.evaluate(async (u) => (await (await fetch(`/api/v1/events/${u}`)).json()).Event, amberUuid);
  const objs = (ev.Object || []).map((o) => `${o.name} ${o.template_uuid} ${(o.Attribute || []).map((a) => `${a.object_relation}=${a.type}:${a.value}`).sort().join(',')}`).sort();
  const want = [
    `domain-ip 43b3b146-77eb-4931-b4cc-b66c60f28734 domain=domain:c2-${tag}.example,ip=ip-dst:203.0.113.7,port=port:443`,
    `file 688c46fb-5edb-40a3-8273-1af7923e2215 filename=filename:dropper-${tag}.exe,sha256=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`,
  ];
  check('the objects are stored with their templates and relations', JSON.stringify(objs) === JSON.stringify(want), JSON.stringify(objs));
  check('the event keeps its attribute', (ev.Attribute || []).some((a) => a.value === amberValue));
  const heads = await A.$$eval('main h3', (xs) => xs.map((x) => x.textContent).join(' | '));
  check('the event page shows both objects', /file/.test(heads) && /domain-ip/.test(heads), heads);
  await shoot(A, 'event-objects'); // the event page in Dutch: 'event'
  // B, of the community, sees them too.
  await go(B, `#/events/${amberUuid}`, 'h1');
  check('B sees the objects', (await B.textContent('main')).includes(`c2-${tag}.example`));
});

let incidentId = '';
await step('member of A files an early warning and sees its 24-hour clock', async () => {
  await go(A, '#/incidents/new', '#incident-form');
  await both(A, 'incident-new');
  await A.fill('#incident-form input[type=text]', `Ransomware on file servers ${tag}`);
  await A.click('#save-incident');
  await A.waitForURL(/#\/incidents\/\d+$/);
  await A.waitForSelector('#report-early-warning');
  incidentId = A.url().split('/').pop();
  const clock = await A.$eval('main table.rows tbody tr:first-child .clock', (e) => ({ text: e.textContent, cls: e.className }));
  check('early warning clock: green, about 24 h left', /clock-green/.test(clock.cls) && /\b2[34] h|23 h \d+ min|1 d 0 h/.test(clock.text), JSON.stringify(clock));
  // Required fields are checked as the user types.
  const form = '#report-early-warning';
  await A.fill(`${form} input[type=email]`, 'not-an-address');
  const err = await A.$eval(`${form} input[type=email]`, (e) => document.getElementById(`${e.id}-err`).textContent);
  check('a bad e-mail address is flagged while typing', /e-mail/.test(err), err);
  await A.click(`${form} button[type=submit]`);
  const invalid = await A.$$eval(`${form} [aria-invalid=true]`, (xs) => xs.length);
  check('submitting an incomplete form marks the missing fields', invalid >= 5, String(invalid));
  await both(A, 'incident');
  await A.fill(`${form} textarea`, 'Ransomware encrypted the file servers of one office');
  const selects = await A.$$(`${form} select`);
  await selects[0].selectOption('yes');
  await selects[1].selectOption('unknown');
  await A.fill(`${form} input[autocomplete=name]`, 'Anne de Vries');
  await A.fill(`${form} input[type=email]`, 'soc@a.example');
  await A.fill(`${form} input[type=tel]`, '+31 30 123 4567');
  await A.click(`${form} button[type=submit]`);
  await A.waitForFunction(() => document.querySelector('main table.rows tbody tr:first-child .clock-met'));
  ok('the early warning is submitted and its deadline met');
  const csirtClock = await A.$$eval('main table.rows tbody tr', (trs) => trs.map((tr) => tr.textContent).find((x) => /CSIRT/.test(x)) || '');
  check("the CSIRT's 24-hour answer clock runs", /2[34] h|23 h|1 d 0 h/.test(csirtClock), csirtClock);
  await go(A, '#/incidents', 'table.rows');
  await both(A, 'incidents');
});

// Sharing the incident's indicators: as the organisation (an event at
// once, found by B), and anonymously (a proposal the CSIRT approves in the
// page; the event is then the CSIRT's).
let shareValue = `share-${tag}.example`;
await step('member of A shares the incident\'s indicators; the CSIRT decides a proposal', async () => {
  // The notification that brings the indicators (its form is tested above
  // as the early warning's; here only what sharing needs).
  const st = await A.evaluate(async ({ id, v }) => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch(`/api/v1/incidents/${id}/reports?stage=notification`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf },
      body: JSON.stringify({ initial_assessment: 'Ransomware, contained to one office', severity: 'high', impact: { description: 'File shares down' },
        indicators: [{ type: 'domain', value: v }, { type: 'ip-dst', value: '198.51.100.23' }] }),
    });
    return r.status;
  }, { id: incidentId, v: shareValue });
  check('the notification with two indicators is filed', st === 201 || st === 200, String(st));
  await go(A, `#/incidents/${incidentId}`, '#share-form');
  // RED offers only this organisation and a sharing group, and says why.
  await A.selectOption('#share-tlp', 'red');
  const dists = await A.$$eval('#share-dist option', (xs) => xs.map((x) => x.value).join(','));
  check('TLP:RED offers only distributions 0 and 4', dists === '0,4', dists);
  await A.selectOption('#share-tlp', 'green');
  await A.selectOption('#share-dist', '1');
  await A.click('#share-go');
  await A.waitForSelector('section.share table.rows a[href^="#/events/"]');
  const sharedUuid = (await A.getAttribute('section.share table.rows a[href^="#/events/"]', 'href')).split('/').pop();
  ok('shared as the organisation: the event is listed');
  await go(B, `#/events?value=${encodeURIComponent(shareValue)}`, 'table.rows');
  check('B finds the shared indicator', (await B.textContent('main table.rows')).includes('Indicators from a reported incident'));
  // Anonymously: a proposal to the CSIRT, pending, withdrawable.
  await go(A, `#/incidents/${incidentId}`, '#share-form');
  await A.selectOption('#share-tlp', 'clear');
  await A.selectOption('#share-dist', '3');
  await A.check('#share-form input[type=checkbox]');
  await A.click('#share-go');
  await A.waitForSelector('article.proposal button[id^="proposal-withdraw-"]');
  const pid = await A.getAttribute('article.proposal', 'data-proposal');
  check('anonymous: a pending proposal the organisation may withdraw', /pending/.test(await A.textContent('article.proposal h3')));
  await both(A, 'incident-share', 'section.share');
  await narrow(A, 'incident-share', 'section.share');
  const C = await csirt();
  // The CSIRT finds it among the proposals waiting on its incidents page.
  await go(C, '#/incidents', 'section.pending');
  const waiting = await C.$$eval('section.pending tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
  check('the CSIRT\'s incidents page lists the pending proposal', JSON.stringify(waiting) === JSON.stringify([pid]), JSON.stringify(waiting));
  await shoot(C, 'incidents-csirt');
  await C.click(`section.pending a[href="#/incidents/${incidentId}"]`);
  await C.waitForSelector(`#proposal-approve-${pid}`);
  const ind = await C.$$eval(`article.proposal[data-proposal="${pid}"] tbody tr`, (trs) => trs.map((tr) => tr.cells[1].textContent).sort().join(' '));
  check('the CSIRT sees the proposed indicators', ind === ['198.51.100.23', shareValue].sort().join(' '), ind);
  check('the CSIRT cannot withdraw', !(await C.$(`#proposal-withdraw-${pid}`)));
  // In Dutch and at 375 px the proposals are in A's 'incident-share'.
  await shoot(C, 'incident-proposal-csirt', 'section.proposals');
  await C.click(`#proposal-approve-${pid}`);
  await C.waitForFunction((p) => /approved/.test((document.querySelector(`article.proposal[data-proposal="${p}"] h3`) || {}).textContent), pid);
  const evHref = await C.getAttribute(`article.proposal[data-proposal="${pid}"] a[href^="#/events/"]`, 'href');
  const org = await C.evaluate(async (u) => (await (await fetch(`/api/v1/events/${u}`)).json()).Event.Orgc.name, evHref.split('/').pop());
  check('approved: the event is published in the CSIRT\'s name', org === 'Test-CSIRT', org);
  check('the two shares are different events', evHref.split('/').pop() !== sharedUuid);
  await go(A, `#/incidents/${incidentId}`, 'article.proposal');
  check('A sees the proposal approved, no withdraw left', /approved/.test(await A.textContent('article.proposal h3')) && !(await A.$('article.proposal button')));
  await go(C, '#/incidents', 'table.rows');
  check('decided: no longer waiting', !(await C.$('section.pending')));
});

await step('the significance check', async () => {
  await go(A, '#/incidents/significance', '#verdict p');
  check('with nothing answered: undetermined', /Undetermined/.test(await A.textContent('#verdict')));
  await A.selectOption('#entity', 'cloud');
  await A.selectOption('#significance-form fieldset select', 'yes');
  await A.fill('#significance-form input[type=number] >> nth=0', '600000');
  await A.waitForFunction(() => /Significant: report/.test(document.querySelector('#verdict').textContent));
  ok('a severe disruption makes it significant, as the hub judges it');
  await both(A, 'significance');
});

await step('the CSIRT acknowledges', async () => {
  const C = await csirt();
  await go(C, `#/incidents/${incidentId}`, '#ack');
  await C.click('#ack');
  await C.waitForFunction(() => /acknowledged/.test(document.querySelector('main').textContent));
  ok('acknowledged, shown in the actions');
  await both(C, 'incident-csirt');
  await go(C, '#/assessments/sectors');
  await both(C, 'sectors');
});

await step('member of A answers an assessment and downloads a one-page PDF', async () => {
  await go(A, '#/assessments', '#new-assessment');
  await A.selectOption('#new-catalogue', 'ncsc-basic-principles');
  await A.click('#start-assessment');
  await A.waitForURL(/#\/assessments\/\d+$/);
  await A.waitForSelector('form.answer');
  const forms = await A.$$('form.answer');
  for (const [i, f] of forms.slice(0, 3).entries()) {
    await (await f.$('select')).selectOption(String(i + 1));
    await (await f.$('textarea')).fill('Policy document v2, approved by the board');
    await (await f.$('input[type=text]')).fill('CISO');
    await (await f.$('button[type=submit]')).click();
    await f.waitForSelector('.saved:text-matches("version")');
  }
  ok('three answers saved');
  await A.reload();
  await A.waitForSelector('#board-pdf');
  await both(A, 'assessment');
  const [dl] = await Promise.all([A.waitForEvent('download'), A.click('#board-pdf')]);
  const path = `${SHOTS}/board-report.pdf`;
  await dl.saveAs(path);
  const head = readFileSync(path).subarray(0, 5).toString();
  check('the board report is a PDF', head === '%PDF-', head);
  const info = execFileSync('pdfinfo', [path]).toString();
  check('the board report has one page', /Pages:\s+1\n/.test(info), info);
  const id = A.url().split('/').pop();
  // The board report as HTML: its own inline style allowed by hash.
  const view = await A.context().newPage();
  const refused = [];
  view.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) refused.push(m.text()); });
  await view.goto(`${URL0}/api/v1/assessments/${id}/report?format=html&lang=nl`);
  const styled = await view.evaluate(() => getComputedStyle(document.body).fontFamily);
  check('the board report as HTML is styled under the CSP', !refused.length && !/^"?Times/.test(styled), `${styled} ${refused.join(' ')}`);
  await view.screenshot({ path: `${SHOTS}/board-report-nl.png`, fullPage: true });
  await view.close();
  await go(A, `#/assessments/${id}/compare`, 'table.rows');
  await both(A, 'compare');
  await go(A, '#/assessments', 'table.rows');
  await both(A, 'assessments');
});

// The vulnerabilities page: a package list uploaded in the page is
// scanned by the hub; its findings in `vuln scan`'s order (WB_VULN_EXPECT,
// made by the command line from the same files), overdue ones in red, the
// CSV export, and sharing with the CSIRT, who then lists it.
await step('vulnerabilities page: upload, findings in order, CSV, share', async () => {
  await go(A, '#/vuln', '#scan-form');
  await both(A, 'vuln');
  await A.setInputFiles('#inventory', process.env.WB_VULN_INV);
  await A.fill('#scan-form input[type=text]', `assets ${tag}`);
  await A.click('#scan-form button[type=submit]');
  await A.waitForURL(/#\/vuln\/\d+$/);
  await A.waitForFunction(READY);
  await A.waitForSelector('main table.rows');
  const scanId = A.url().split('/').pop();
  const rows = await A.$$eval('main table.rows tbody tr', (trs) => trs.map((tr) => ({
    rank: tr.cells[0].textContent, vuln: tr.cells[1].querySelector('.mono').textContent, asset: tr.cells[4].textContent,
    overdue: !!tr.cells[6].querySelector('.overdue'),
  })));
  const got = rows.map((r) => `${r.rank}:${r.asset}:${r.vuln}:${r.overdue ? 1 : 0}`).join(' ');
  check('findings in vuln scan\'s order, overdue ones marked', got === process.env.WB_VULN_EXPECT, `${got} != ${process.env.WB_VULN_EXPECT}`);
  const red = await A.$eval('main table.rows .overdue', (e) => getComputedStyle(e).color);
  check('overdue is shown in red', /^rgb\((1[5-9]\d|2\d\d), ([0-9]|[1-9]\d), ([0-9]|[1-9]\d)\)$/.test(red), red);
  await both(A, 'vuln-scan');
  await narrow(A, 'vuln-scan');
  const [dl] = await Promise.all([A.waitForEvent('download'), A.click('main a[href$="/csv"]')]);
  const csv = readFileSync(await dl.path(), 'utf8').trim().split('\n');
  check('the CSV has a header and a row per finding', csv.length === rows.length + 1 && /^rank,/.test(csv[0]), `${csv.length} lines`);
  const C = await csirt();
  await go(C, '#/vuln', '#scan-form');
  check('not shared: the CSIRT does not list it', !(await C.textContent('main')).includes(`assets ${tag}`));
  await A.check('#share-scan');
  await A.waitForFunction(() => /shared|gedeeld/i.test(document.getElementById('status').textContent));
  await go(C, '#/vuln', 'table.rows');
  check('shared: the CSIRT lists it', (await C.textContent('main table.rows')).includes(`assets ${tag}`));
  await go(C, `#/vuln/${scanId}`, 'table.rows');
  check('the CSIRT reads it and may not share it on', !(await C.$('#share-scan')));
});

await step('CSRF: a state-changing request without the token is refused', async () => {
  const body = JSON.stringify({ Event: { info: `csrf ${tag}`, distribution: '0', Tag: [{ name: 'tlp:amber' }] } });
  const r = await A.evaluate(async (b) => {
    const no = await fetch('/api/v1/events', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: b });
    const wrong = await fetch('/api/v1/events', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': 'x'.repeat(43) }, body: b });
    return [no.status, wrong.status];
  }, body);
  check('without X-CSRF-Token: 403', r[0] === 403, String(r[0]));
  check('with a wrong X-CSRF-Token: 403', r[1] === 403, String(r[1]));
  // The refusal has the API's one error shape, and the page's api.js reads
  // it: its words are the CSRF explanation, not a generic "forbidden".
  const seen = await A.evaluate(async (b) => {
    const r = await fetch('/api/v1/events', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: b });
    const api = await import('/js/api.js');
    const good = (await (await fetch('/api/v1/session')).json()).csrf;
    api.setCsrf('0'.repeat(32));
    let words = '';
    try {
      await api.post('/api/v1/events', JSON.parse(b));
    } catch (e) {
      words = api.explain(e);
    }
    api.setCsrf(good);
    return { body: await r.json(), words };
  }, body);
  check('the body is {"error": {"code": "csrf_failed", "message"}}', seen.body.error && seen.body.error.code === 'csrf_failed' && /CSRF/.test(seen.body.error.message), JSON.stringify(seen.body));
  const en = JSON.parse(readFileSync(new URL('../../web/i18n/en.json', import.meta.url)));
  check('the page explains it as a CSRF refusal', seen.words === en['error.csrf'], seen.words);
  await go(A, '#/events', 'table.rows');
  check('nothing was created', !(await A.textContent('main')).includes(`csrf ${tag}`));
});

await step('sign-in throttling', async () => {
  const ctx = await newCtx({});
  const req = ctx.request;
  const email = process.env.WB_EMAIL_A;
  const first = await req.post(`${URL0}/api/v1/session`, { data: { email, password: 'wrong password 1' } });
  const unknown = await req.post(`${URL0}/api/v1/session`, { data: { email: `nobody-${tag}@x.example`, password: 'wrong password 1' } });
  check('wrong password: 401 sign-in failed', first.status() === 401 && (await first.text()).includes('sign-in failed'), `${first.status()} ${await first.text()}`);
  check('unknown user: the same answer', unknown.status() === 401 && (await unknown.text()) === (await first.text()), `${unknown.status()} ${await unknown.text()}`);
  let n = 2;
  let last = 401;
  while (n < 40 && last !== 429) {
    last = (await req.post(`${URL0}/api/v1/session`, { data: { email, password: `wrong password ${n}` } })).status();
    n += 1;
  }
  check(`repeated failures are throttled (429 after ${n} attempts)`, last === 429, String(last));
  const page = await ctx.newPage();
  await page.goto(`${URL0}/`);
  await page.waitForSelector('#signin-form');
  await page.fill('#signin-form input[name=email]', email);
  await page.fill('#signin-form input[name=password]', 'wrong again');
  await page.click('#signin-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#signin-error').textContent.length > 0);
  const msg = await page.textContent('#signin-error');
  check('the page says to wait', /Wait a minute|Wacht een minuut/.test(msg), msg);
  await ctx.close();
});

// A page still loading when the user moves on must not draw over the
// next one (the cause of a timed-out administration step under load: the
// events page opened by the sign-in finished after the administration
// page and emptied it). The events list's answer is held back until the
// look-up page is drawn.
await step('a page still loading does not draw over the next one', async () => {
  let release;
  const held = new Promise((r) => { release = r; });
  const isList = (u) => u.pathname === '/api/v1/events';
  await B.route(isList, async (route) => { await held; await route.continue(); });
  await B.goto(`${URL0}/#/events`);
  await B.waitForSelector('main .page-head h1');
  const answered = B.waitForResponse((r) => isList(new URL(r.url())));
  await go(B, '#/lookup', '#lookup-values');
  release();
  await answered;
  await B.unroute(isList);
  await B.waitForTimeout(300); // the held page's drawing, if it were let through
  const st = await B.evaluate(() => ({ shown: document.querySelector('main').dataset.shown, events: !!document.querySelector('main table.rows'), lookup: !!document.getElementById('lookup-values') }));
  check('the look-up page stays as drawn', st.shown === '#/lookup' && st.lookup && !st.events, JSON.stringify(st));
});

await step('administration and account pages', async () => {
  const S = await session(K.admin);
  await go(S, '#/admin', 'table.rows');
  if (await S.$('#add-user')) {
    await S.fill('#add-user input[type=email]', `new-${tag}@bravo.example`);
    await S.fill('#add-user input[type=text]', 'Bravo-Zorg');
    await S.click('#add-user button[type=submit]');
    await S.waitForFunction((e) => document.querySelector('main').textContent.includes(e), `new-${tag}@bravo.example`);
    ok('the site admin adds a user');
    await S.fill('#add-key input[type=email]', `new-${tag}@bravo.example`);
    await S.click('#add-key button[type=submit]');
    await S.waitForFunction(() => /[0-9a-f]{64}/.test(document.querySelector('main .notice') ? document.querySelector('main .notice').textContent : ''));
    ok('a new key is shown once');
  } else {
    ok('(this hub has no /api/v1/admin: the audit log only)');
  }
  await both(S, 'admin');
  await go(S, '#/account', 'dl.meta');
  await both(S, 'account');
  await S.context().close();
});

await step('sign-out ends the session', async () => {
  await A.click('#signout');
  await A.waitForSelector('#signin-form');
  const status = await A.evaluate(async () => (await fetch('/api/v1/events')).status);
  check('after sign-out the API answers 401', status === 401, String(status));
});

for (const [name, v] of axeSeen) check(`axe-core: no serious violations on ${name}`, v.length === 0, v.join('; '));
for (const p of [A, B, csirtPage].filter(Boolean)) if (p.errors && p.errors.length) bad('no script errors in the page', p.errors.slice(0, 3).join(' | '));
writeFileSync(`${SHOTS}/axe.json`, JSON.stringify(Object.fromEntries(axeSeen), null, 1));
await browser.close();
console.log(`${failed ? 'FAILED' : 'passed'}: ${axeSeen.size} page views checked with axe-core, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
