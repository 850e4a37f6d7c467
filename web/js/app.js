// app.js - the hub's web page: session, language, navigation and the
// router. Pages live in js/pages/, one module per area; each exports
// render(main, ctx, params) and builds its part of the page from the
// hub's API. Routes are in the URL's fragment (#/events/UUID), so the hub
// serves one index.html and nothing but its API.
import { h, clear } from './dom.js';
import { t, pickLang, loadLang, lang, LANGS } from './i18n.js';
import { api, setCsrf, explain, ApiError } from './api.js';

const routes = [
  ['signin', () => import('./pages/signin.js'), 'signin'],
  ['first-login', () => import('./pages/signin.js'), 'firstLogin'],
  ['account', () => import('./pages/account.js'), 'render'],
  ['events', () => import('./pages/events.js'), 'list'],
  ['events/new', () => import('./pages/eventedit.js'), 'create'],
  ['events/:id', () => import('./pages/event.js'), 'render'],
  ['events/:id/edit', () => import('./pages/eventedit.js'), 'edit'],
  ['lookup', () => import('./pages/lookup.js'), 'render'],
  ['sightings', () => import('./pages/sightings.js'), 'render'],
  ['incidents', () => import('./pages/incidents.js'), 'list'],
  ['incidents/new', () => import('./pages/incidents.js'), 'create'],
  ['incidents/significance', () => import('./pages/significance.js'), 'render'],
  ['incidents/:id', () => import('./pages/incident.js'), 'render'],
  ['assessments', () => import('./pages/assessments.js'), 'list'],
  ['assessments/sectors', () => import('./pages/assessments.js'), 'sectors'],
  ['assessments/:id', () => import('./pages/assessment.js'), 'render'],
  ['assessments/:id/compare', () => import('./pages/assessment.js'), 'compare'],
  ['vuln', () => import('./pages/vuln.js'), 'list'],
  ['vuln/:id', () => import('./pages/vuln.js'), 'scan'],
  ['admin', () => import('./pages/admin.js'), 'render'],
];

const NAV = [
  ['events', 'nav.events'],
  ['lookup', 'nav.lookup'],
  ['sightings', 'nav.sightings'],
  ['incidents', 'nav.incidents'],
  ['assessments', 'nav.assessments'],
  ['vuln', 'nav.vuln'],
  ['admin', 'nav.admin', (u) => u.role === 'site-admin' || u.role === 'org-admin'],
];

const ctx = { user: null, expires: null, t, lang, go, refresh: route, announce, setTitle };

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function announce(msg) {
  const s = document.getElementById('status');
  s.textContent = '';
  setTimeout(() => { s.textContent = msg; }, 50);
}

function setTitle(title) {
  document.title = `${title} – weerbaar`;
}

function parse() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(qs || ''));
  for (const [pattern, loader, fn] of routes) {
    const pp = pattern.split('/');
    if (pp.length !== parts.length) continue;
    const params = { query };
    let ok = true;
    for (let i = 0; i < pp.length && ok; i++) {
      if (pp[i].startsWith(':')) params[pp[i].slice(1)] = parts[i];
      else ok = pp[i] === parts[i];
    }
    if (ok) return { pattern, loader, fn, params };
  }
  return null;
}

function chrome() {
  document.getElementById('skip').textContent = t('app.skip');
  document.getElementById('nav').setAttribute('aria-label', t('nav.label'));
  const nav = clear(document.getElementById('nav'));
  const tools = clear(document.getElementById('tools'));
  const cur = (location.hash.replace(/^#\/?/, '').split(/[/?]/)[0]) || 'events';
  if (ctx.user) {
    const ul = h('ul');
    for (const [path, key, may] of NAV) {
      if (may && !may(ctx.user)) continue;
      ul.append(h('li', h('a', { href: `#/${path}`, 'aria-current': cur === path ? 'page' : null }, t(key))));
    }
    nav.append(ul);
  }
  const other = LANGS.find((l) => l !== lang());
  tools.append(h('button.lang', {
    type: 'button', lang: other, 'aria-label': `${other.toUpperCase()}: ${t('app.switchLang')}`,
    on: { click: async () => { localStorage.setItem('wb_lang', other); await loadLang(other); route(); } },
  }, other.toUpperCase()));
  if (ctx.user) {
    tools.append(
      h('a.who', { href: '#/account', title: t('account.title') }, `${ctx.user.email} · ${ctx.user.org} · ${t(`role.${ctx.user.role}`)}`),
      h('button.secondary', { type: 'button', id: 'signout', on: { click: signOut } }, t('app.signOut')),
    );
  }
}

async function signOut() {
  try {
    await api('DELETE', '/api/v1/session');
  } catch {
    /* signed out either way */
  }
  ctx.user = null;
  setCsrf('');
  go('#/signin');
}

export function signedIn(s) {
  ctx.user = s.user;
  ctx.expires = s.expires;
  ctx.idle = s.idle_seconds || 0;
  setCsrf(s.csrf);
}
ctx.signedIn = signedIn;

// Each call of route() draws into a view of its own, and only the newest
// call may put its view into <main>: a page that is still loading when the
// user (or a test) moves on keeps drawing into a view nobody sees, instead
// of clearing or filling the page that replaced it. Without this a slow
// events page could empty the administration page opened after it.
let routeSeq = 0;

async function route() {
  const main = document.getElementById('main');
  const r = parse();
  if (!r) {
    location.hash = '#/events';
    return;
  }
  const open = r.pattern === 'signin' || r.pattern === 'first-login';
  if (!ctx.user && !open) {
    sessionStorage.setItem('wb_after', location.hash);
    location.hash = '#/signin';
    return;
  }
  const seq = ++routeSeq;
  const current = () => seq === routeSeq;
  const shown = location.hash;
  chrome();
  const view = h('div.view');
  clear(main);
  main.setAttribute('aria-busy', 'true');
  main.removeAttribute('data-shown');
  main.append(h('p.loading', t('app.loading')));
  try {
    const mod = await r.loader();
    if (!current()) return;
    clear(main);
    main.append(view);
    await mod[r.fn](view, ctx, r.params);
  } catch (e) {
    if (!current()) return;
    if (e instanceof ApiError && e.status === 401 && !open) {
      ctx.user = null;
      sessionStorage.setItem('wb_after', location.hash);
      location.hash = '#/signin';
      return;
    }
    clear(view);
    view.append(h('h1', t('error.title')), h('p.error', { role: 'alert' }, explain(e)));
    if (!(e instanceof ApiError)) console.error(e);
  }
  if (!current()) return;
  main.setAttribute('aria-busy', 'false');
  // Which address the page now shows (tests wait for it: "drawn" is
  // "drawn for this address", not a page left over from the one before).
  main.setAttribute('data-shown', shown);
  const h1 = main.querySelector('h1');
  if (h1) setTitle(h1.textContent);
  if (document.activeElement === document.body || !main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

async function boot() {
  await loadLang(pickLang());
  // A one-time sign-in link may come as /?first-login=TOKEN.
  const tok = new URLSearchParams(location.search).get('first-login');
  if (tok) {
    history.replaceState(null, '', `/#/first-login?token=${encodeURIComponent(tok)}`);
  }
  try {
    signedIn(await api('GET', '/api/v1/session'));
  } catch {
    ctx.user = null;
  }
  window.addEventListener('hashchange', route);
  if (!location.hash) location.hash = ctx.user ? '#/events' : '#/signin';
  else route();
}

boot();
