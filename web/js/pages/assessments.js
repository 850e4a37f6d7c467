// assessments.js - the organisation's assessments (and those shared with
// the user's CSIRT or supervisor), starting one, and the supervisor's
// k-anonymous sector view as charts.
import { h, field, fmtTime } from '../dom.js';
import { get, post, q, explain } from '../api.js';
import { table, empty, errorBox, barChart } from './common.js';

export async function list(main, ctx) {
  const { t } = ctx;
  main.append(h('div.page-head', h('h1', t('assess.title')),
    h('a.button.secondary', { href: '#/assessments/sectors', id: 'sector-view' }, t('assess.sectors'))),
  h('p.lead', t('assess.intro')));
  let cats = [];
  let list = [];
  try {
    [list, cats] = await Promise.all([get('/api/v1/assessments'), get(`/api/v1/catalogues${q({ lang: ctx.lang() })}`)]);
    cats = cats.catalogues || cats;
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  const msg = h('p.error', { role: 'alert' });
  const cat = h('select', { id: 'new-catalogue' }, cats.map((c) => h('option', { value: c.name, selected: c.name === 'cbw_nis2' }, c.title || c.name)));
  const scope = h('input', { type: 'text', maxlength: 500 });
  const target = h('select', [1, 2, 3, 4, 5].map((n) => h('option', { value: n, selected: n === 3 }, String(n))));
  main.append(h('form.card.stack', {
    id: 'new-assessment',
    on: {
      submit: async (e) => {
        e.preventDefault();
        try {
          const r = await post('/api/v1/assessments', { catalogue: cat.value, scope: scope.value.trim() || undefined, target: Number(target.value) });
          ctx.go(`#/assessments/${r.id}`);
        } catch (err) {
          msg.textContent = explain(err);
        }
      },
    },
  }, h('h2', t('assess.new')), msg, h('div.grid3', field(t('assess.catalogue'), cat), field(t('assess.scope'), scope, t('assess.scopeHint')),
    field(t('assess.target'), target, t('assess.targetHint'))), h('button', { type: 'submit', id: 'start-assessment' }, t('assess.start'))));
  if (!list.length) { main.append(empty(t('assess.none'))); return; }
  const title = new Map(cats.map((c) => [c.name, c.title || c.name]));
  main.append(table(t('assess.caption'), [t('assess.col.catalogue'), t('assess.col.org'), t('assess.col.scope'), t('assess.col.version'), t('assess.col.shared')],
    list.map((a) => [h('a', { href: `#/assessments/${a.id}` }, title.get(a.catalogue) || a.catalogue), a.organisation, a.scope || '',
      a.version ? `${a.version} (${fmtTime(a.version_time, ctx.lang())})` : t('assess.noAnswers'),
      [a.shared_with.csirt ? t('assess.csirt') : null, a.shared_with.supervisor ? t('assess.supervisor') : null].filter(Boolean).join(', ') || t('assess.private')])));
}

const fmt = (x) => (x === null || x === undefined ? '–' : Number(x).toFixed(2));

export async function sectors(main, ctx, params) {
  const { t } = ctx;
  main.append(h('p.crumbs', h('a', { href: '#/assessments' }, t('nav.assessments'))), h('h1', t('sector.title')), h('p.lead', t('sector.intro')));
  let cats = [];
  try {
    cats = await get(`/api/v1/catalogues${q({ lang: ctx.lang() })}`);
    cats = cats.catalogues || cats;
  } catch (e) { /* the view works without titles */ }
  const name = params.query.catalogue || 'cbw_nis2';
  const sel = h('select', cats.map((c) => h('option', { value: c.name, selected: c.name === name }, c.title || c.name)));
  main.append(h('form.filters', { on: { submit: (e) => { e.preventDefault(); ctx.go(`#/assessments/sectors${q({ catalogue: sel.value })}`); } } },
    field(t('assess.catalogue'), sel), h('div.field.actions', h('button', { type: 'submit' }, t('sector.show')))));
  let v;
  try {
    v = await get(`/api/v1/assessments/sectors${q({ catalogue: name })}`);
  } catch (e) {
    main.append(e.status === 403 ? h('p.notice', t('sector.forbidden')) : errorBox(e));
    return;
  }
  main.append(h('p', t('sector.k', { k: v.k })));
  const rows = (v.sectors || []).map((s) => ({ label: s.sector || t('sector.none'), cell: s.overall, n: s.organisations, sup: s.suppressed }));
  const shown = rows.filter((r) => !r.sup && r.cell && r.cell.score !== null && r.cell.score !== undefined);
  main.append(barChart(t('sector.overall'), shown.map((r) => ({ label: r.label, value: Number(r.cell.score.toFixed(2)) })),
    { labelCol: t('sector.sector'), valueCol: t('sector.score') }));
  main.append(table(t('sector.caption'), [t('sector.sector'), t('sector.orgs'), t('sector.score')],
    rows.map((r) => [r.label, r.sup ? `< ${v.k}` : String(r.n), r.sup || !r.cell || r.cell.suppressed ? t('sector.suppressed') : fmt(r.cell.score)])));
  if (v.total && v.total.principles && v.total.principles.length) {
    main.append(barChart(t('sector.principles'), v.total.principles.filter((p) => !p.suppressed && p.score !== null)
      .map((p) => ({ label: p.ref || String(p.principle), value: Number(Number(p.score).toFixed(2)) })), { labelCol: t('sector.principle'), valueCol: t('sector.score') }));
  }
}
