// admin.js - administration as far as the user's role reaches: the
// organisations, users, keys and sharing groups through the accounts
// service's API (/api/v1/admin/..., site admins everything, organisation
// admins their own users and keys), adding users and keys and revoking
// keys; and the audit log (site administrators).
import { h, field, fmtTime, put } from '../dom.js';
import { get, post, q, explain, ApiError } from '../api.js';
import { table, pager, empty, errorBox } from './common.js';

const LIMIT = 50;
const ROLES = ['member', 'org-admin', 'sensor', 'site-admin'];

async function optional(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 403)) return null;
    throw e;
  }
}

function rowsOf(r) {
  if (!r) return null;
  if (Array.isArray(r)) return r;
  for (const k of ['response', 'orgs', 'organisations', 'users', 'keys', 'sharing_groups', 'groups']) if (Array.isArray(r[k])) return r[k];
  return [];
}

function cell(v, lang) {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'boolean') return v ? '✓' : '–';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? x.name || JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return v.name || JSON.stringify(v);
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return fmtTime(v, lang);
  return String(v);
}

// A list with the columns it has of those named, in that order.
function listTable(ctx, caption, rows, cols, extra) {
  if (!rows.length) return empty(ctx.t('admin.noRows'));
  const have = cols.filter((c) => rows.some((r) => r[c] !== undefined));
  const head = have.map((c) => ctx.t(`admin.f.${c}`));
  if (extra) head.push(ctx.t('admin.actions'));
  return table(caption, head, rows.map((r) => {
    const cells = have.map((c) => (c === 'role' && r[c] ? ctx.t(`role.${r[c]}`) : c === 'state' && r[c] ? ctx.t(`admin.state.${r[c]}`) : cell(r[c], ctx.lang())));
    if (extra) cells.push(extra(r));
    return cells;
  }));
}

export async function render(main, ctx, params) {
  const { t } = ctx;
  const qy = params.query;
  const msg = h('p.error', { role: 'alert', tabindex: '-1' });
  const note = h('div', { 'aria-live': 'polite' });
  put(main, h('h1', t('admin.title')), msg, note);
  const act = async (path, body, done) => {
    msg.textContent = '';
    try {
      const r = await post(`/api/v1/admin/${path}`, body);
      if (done) done(r);
      else ctx.refresh();
    } catch (e) {
      msg.textContent = explain(e);
      msg.focus();
    }
  };
  const orgs = rowsOf(await optional('/api/v1/admin/orgs'));
  const users = rowsOf(await optional('/api/v1/admin/users'));
  const keys = rowsOf(await optional('/api/v1/admin/keys'));
  const groups = ctx.user.role === 'site-admin' ? rowsOf(await optional('/api/v1/admin/sharing-groups')) : null;
  if (orgs) put(main, h('h2', t('admin.orgs')), listTable(ctx, null, orgs, ['name', 'kind', 'sector', 'kvk', 'disabled', 'uuid']));
  if (users) {
    const email = h('input', { type: 'email', required: true, autocomplete: 'off' });
    const org = h('input', { type: 'text', value: ctx.user.role === 'site-admin' ? '' : ctx.user.org, readonly: ctx.user.role !== 'site-admin' });
    const role = h('select', ROLES.filter((r) => ctx.user.role === 'site-admin' || r !== 'site-admin').map((r) => h('option', { value: r }, t(`role.${r}`))));
    put(main, h('h2', t('admin.users')), listTable(ctx, null, users, ['email', 'org', 'role', 'disabled', 'created'],
      (u) => (u.disabled ? '' : h('button.small.secondary', { type: 'button', 'aria-label': `${t('admin.disable')}: ${u.email}`, on: { click: () => act('users/disable', { target: u.email }) } }, t('admin.disable')))),
    h('form.filters', {
      id: 'add-user', novalidate: true,
      on: { submit: (e) => { e.preventDefault(); if (email.value.trim()) act('users/add', { target: email.value.trim(), org: org.value.trim() || ctx.user.org, role: role.value }); } },
    }, field(t('admin.f.email'), email), field(t('admin.f.org'), org), field(t('admin.f.role'), role),
    h('div.field.actions', h('button', { type: 'submit' }, t('admin.addUser')))),
    h('p.hint', t('admin.linkHint')));
  }
  if (keys) {
    const who = h('input', { type: 'email', required: true, autocomplete: 'off' });
    const comment = h('input', { type: 'text' });
    put(main, h('h2', t('admin.keys')), listTable(ctx, null, keys, ['id', 'email', 'org', 'comment', 'created', 'expires', 'last_used', 'state'],
      (k) => (k.revoked || k.state === 'revoked' ? '' : h('button.small.secondary', { type: 'button', 'aria-label': `${t('admin.revoke')}: ${k.id}`, on: { click: () => act('keys/revoke', { target: String(k.id) }) } }, t('admin.revoke')))),
    h('form.filters', {
      id: 'add-key', novalidate: true,
      on: {
        submit: (e) => {
          e.preventDefault();
          if (!who.value.trim()) return;
          act('keys/add', { target: who.value.trim(), comment: comment.value.trim() || undefined }, (r) => {
            const k = r.key || r;
            note.replaceChildren(h('div.notice', h('p', t('admin.keyOnce')), h('p.mono.value', k.key || k.secret || '')));
            note.querySelector('.notice').tabIndex = -1;
            note.querySelector('.notice').focus();
          });
        },
      },
    }, field(t('admin.f.user'), who), field(t('admin.f.comment'), comment), h('div.field.actions', h('button', { type: 'submit' }, t('admin.addKey')))));
  }
  if (groups) put(main, h('h2', t('admin.groups')), listTable(ctx, null, groups, ['name', 'uuid', 'orgs', 'members']));
  if (ctx.user.role !== 'site-admin') {
    if (!orgs && !users) put(main, h('p.notice', t('admin.cli')));
    return;
  }
  const page = Math.max(1, parseInt(qy.page || '1', 10) || 1);
  const since = h('input', { type: 'date', value: qy.since || '' });
  put(main, h('h2', t('admin.audit')),
    h('form.filters', { on: { submit: (e) => { e.preventDefault(); ctx.go(`#/admin${q({ since: since.value })}`); } } },
      field(t('admin.since'), since), h('div.field.actions', h('button', { type: 'submit' }, t('events.filter')))));
  let r;
  try {
    r = await get(`/api/v1/audit${q({ page, limit: LIMIT + 1, since: qy.since })}`);
  } catch (e) {
    put(main, errorBox(e));
    return;
  }
  const rows = (r.response || []).map((x) => x.Audit || x);
  if (!rows.length) { put(main, empty(t('admin.noAudit'))); return; }
  put(main, table(t('admin.auditCaption'), [t('admin.time'), t('admin.user'), t('admin.org'), t('admin.action'), t('admin.object'), t('admin.detail')],
    rows.slice(0, LIMIT).map((a) => [fmtTime(a.time, ctx.lang()), a.user || '', a.org || '', h('code', a.action), a.object || '', a.detail || ''])),
  pager(page, rows.length > LIMIT, (n) => `#/admin${q({ ...qy, page: n })}`));
}
