// vuln.js - the hub's vulnerability scans: upload an SBOM or package list,
// see the findings in `vuln scan`'s priority order (overdue in red, known
// exploited marked), export them as CSV, share a scan with the CSIRT.
import { h, field, fmtTime, put } from '../dom.js';
import { api, get, post, q, explain, ApiError } from '../api.js';
import { table, empty, errorBox, pager } from './common.js';

const PAGE = 50;

export async function list(main, ctx) {
  const { t } = ctx;
  put(main, h('h1', t('vuln.title')), h('p.lead', t('vuln.intro')));
  const msg = h('p.error', { role: 'alert', tabindex: '-1' });
  const file = h('input', { type: 'file', id: 'inventory' });
  const name = h('input', { type: 'text', maxlength: 128 });
  put(main, h('form.card.stack', {
    id: 'scan-form', novalidate: true,
    on: {
      submit: async (e) => {
        e.preventDefault();
        msg.textContent = '';
        const f = file.files && file.files[0];
        if (!f) { msg.textContent = t('vuln.pickFile'); file.focus(); return; }
        const btn = e.target.querySelector('button[type=submit]');
        btn.disabled = true;
        msg.textContent = t('vuln.scanning');
        try {
          const r = await api('POST', `/api/v1/vuln/scans${q({ name: name.value.trim() || f.name })}`, await f.text(), { rawBody: true });
          ctx.go(`#/vuln/${r.id}`);
        } catch (err) {
          msg.textContent = err instanceof ApiError && err.status === 503 ? t('vuln.noAdvisories') : explain(err);
          msg.focus();
        } finally {
          btn.disabled = false;
        }
      },
    },
  }, h('h2', t('vuln.upload')), msg, field(t('vuln.file'), file, t('vuln.fileHint')), field(t('vuln.name'), name, t('vuln.nameHint')),
  h('button', { type: 'submit' }, t('vuln.scan'))));
  let scans;
  try {
    scans = await get('/api/v1/vuln/scans');
    scans = scans.response || scans.scans || scans;
  } catch (e) {
    put(main, e instanceof ApiError && e.status === 404 ? h('p.notice', t('vuln.notOnHub')) : errorBox(e));
    return;
  }
  if (!scans.length) { put(main, empty(t('vuln.none'))); return; }
  put(main, table(t('vuln.caption'), [t('vuln.col.name'), t('vuln.col.org'), t('vuln.col.when'), t('vuln.col.findings'), t('vuln.col.overdue'), t('vuln.col.kev'), t('vuln.col.shared')],
    scans.map((s) => [h('a', { href: `#/vuln/${s.id}` }, s.name), s.org, fmtTime(s.created, ctx.lang()),
      String((s.summary && s.summary.findings) || 0),
      (s.summary && s.summary.overdue) ? h('span.overdue', String(s.summary.overdue)) : '0',
      String((s.summary && s.summary.kev) || 0), s.shared_csirt ? t('common.yes') : t('common.no')])));
}

export async function scan(main, ctx, params) {
  const { t } = ctx;
  const s = await get(`/api/v1/vuln/scans/${encodeURIComponent(params.id)}`);
  const own = s.org === ctx.user.org;
  const msg = h('p.notice', { role: 'status' });
  const sum = s.summary || {};
  put(main, h('p.crumbs', h('a', { href: '#/vuln' }, t('nav.vuln'))), h('h1', s.name),
    h('dl.meta',
      h('dt', t('vuln.col.org')), h('dd', s.org),
      h('dt', t('vuln.col.when')), h('dd', fmtTime(s.created, ctx.lang())),
      h('dt', t('vuln.author')), h('dd', s.author || ''),
      h('dt', t('vuln.components')), h('dd', String(sum.components || 0))),
    h('p.score', t('vuln.summary', { n: sum.findings || 0, overdue: sum.overdue || 0, kev: sum.kev || 0 })),
    msg,
    h('div.actions', h('a.button.secondary', { href: `/api/v1/vuln/scans/${encodeURIComponent(s.id)}/csv`, download: `scan-${s.id}.csv` }, t('vuln.csv'))));
  if (own && (ctx.user.role === 'org-admin' || ctx.user.role === 'site-admin')) {
    const cb = h('input', { type: 'checkbox', id: 'share-scan', checked: !!s.shared_csirt });
    cb.addEventListener('change', async () => {
      try {
        await post(`/api/v1/vuln/scans/${encodeURIComponent(s.id)}/share`, { csirt: cb.checked });
        ctx.announce(cb.checked ? t('vuln.shared') : t('vuln.unshared'));
      } catch (e) {
        cb.checked = !cb.checked;
        msg.textContent = explain(e);
      }
    });
    put(main, h('div.field.check', cb, h('label', { for: 'share-scan' }, t('vuln.shareCsirt'))));
  }
  const findings = s.findings || [];
  if (!findings.length) { put(main, empty(t('vuln.noFindings'))); return; }
  const page = Math.max(1, parseInt(params.query.page || '1', 10) || 1);
  const rows = findings.slice((page - 1) * PAGE, page * PAGE);
  put(main, table(t('vuln.findings'), [t('vuln.col.rank'), t('vuln.col.vuln'), t('vuln.col.severity'), t('vuln.col.component'), t('vuln.col.asset'), t('vuln.col.fix'), t('vuln.col.deadline')],
    rows.map((f) => [String(f.rank || ''),
      [h('span.mono', f.vulnerability), f.kev ? h('span.kev', ` ${t('vuln.kev')}`) : null, f.title ? h('div.hint', f.title) : null],
      h(`span.sev.sev-${f.severity || 'unknown'}`, t(`vuln.sev.${f.severity || 'unknown'}`)),
      [h('span.mono.value', f.name || f.component), ' ', f.version || ''],
      f.asset || '',
      (f.fixed_versions || []).join(', ') || f.remediation || '–',
      f.deadline ? h(f.overdue ? 'span.overdue' : 'span', fmtTime(f.deadline, ctx.lang()), f.overdue ? ` (${t('vuln.overdue')})` : '') : '–'])),
  pager(page, findings.length > page * PAGE, (n) => `#/vuln/${s.id}${q({ page: n })}`));
}
