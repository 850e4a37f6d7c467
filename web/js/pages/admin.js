// admin.js - administration, as far as the user's role and the hub's API
// reach: the audit log (site administrators), and organisations, users and
// keys where the hub offers them under /api/v1/admin.
import { h, field, fmtTime } from '../dom.js';
import { get, q, ApiError } from '../api.js';
import { table, pager, empty, errorBox } from './common.js';

const LIMIT = 50;

async function optional(path) {
  try {
    return await get(path);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 403)) return null;
    throw e;
  }
}

export async function render(main, ctx, params) {
  const { t } = ctx;
  const qy = params.query;
  main.append(h('h1', t('admin.title')));
  const orgs = await optional('/api/v1/admin/orgs');
  if (orgs) {
    const rows = orgs.response || orgs.orgs || orgs;
    main.append(h('h2', t('admin.orgs')), table(null, [t('admin.name'), t('admin.kind'), t('admin.sector')],
      rows.map((o) => [o.name, o.kind || '', o.sector || ''])));
  }
  const users = await optional('/api/v1/admin/users');
  if (users) {
    const rows = users.response || users.users || users;
    main.append(h('h2', t('admin.users')), table(null, [t('admin.email'), t('admin.org'), t('admin.role')],
      rows.map((u) => [u.email, u.org || (u.Organisation && u.Organisation.name) || '', t(`role.${u.role}`)])));
  }
  if (ctx.user.role !== 'site-admin') {
    if (!orgs && !users) main.append(h('p.notice', t('admin.cli')));
    return;
  }
  const page = Math.max(1, parseInt(qy.page || '1', 10) || 1);
  const since = h('input', { type: 'date', value: qy.since || '' });
  main.append(h('h2', t('admin.audit')),
    h('form.filters', { on: { submit: (e) => { e.preventDefault(); ctx.go(`#/admin${q({ since: since.value })}`); } } },
      field(t('admin.since'), since), h('div.field.actions', h('button', { type: 'submit' }, t('events.filter')))));
  let r;
  try {
    r = await get(`/api/v1/audit${q({ page, limit: LIMIT + 1, since: qy.since })}`);
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  const rows = (r.response || []).map((x) => x.Audit || x);
  if (!rows.length) { main.append(empty(t('admin.noAudit'))); return; }
  main.append(table(t('admin.auditCaption'), [t('admin.time'), t('admin.user'), t('admin.org'), t('admin.action'), t('admin.object'), t('admin.detail')],
    rows.slice(0, LIMIT).map((a) => [fmtTime(a.time, ctx.lang()), a.user || '', a.org || '', h('code', a.action), a.object || '', a.detail || ''])),
  pager(page, rows.length > LIMIT, (n) => `#/admin${q({ ...qy, page: n })}`));
}
