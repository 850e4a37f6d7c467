// incident.js - one incident: its deadlines as clocks, its reports, the
// report forms (early warning, notification, intermediate, final,
// progress) whose required fields are checked as the user types against
// what earlier reports already gave, and the CSIRT's view (acknowledge,
// ask for an intermediate report, comment) with its own 24-hour clock.
import { h, field, fmtTime } from '../dom.js';
import { get, post, q, explain, ApiError } from '../api.js';
import { table, empty } from './common.js';
import { clock, startOf } from './clock.js';

const STAGES = ['early-warning', 'notification', 'intermediate', 'final', 'progress'];
const EW = ['summary', 'malicious', 'cross_border', 'contact.name', 'contact.email', 'contact.phone'];
// What each stage's form shows, and what it needs (docs/incident.md).
const SHOW = {
  'early-warning': [...EW, 'personal_data'],
  notification: [...EW, 'personal_data', 'initial_assessment', 'severity', 'impact.description', 'impact.users_affected', 'impact.duration_minutes', 'impact.financial_loss_eur', 'indicators'],
  intermediate: ['status_update'],
  final: ['description', 'severity', 'impact.description', 'impact.financial_loss_eur', 'root_cause', 'mitigation.applied', 'mitigation.ongoing', 'cross_border_impact'],
  progress: ['status_update', 'expected_handled_at'],
};
const NEED = {
  'early-warning': EW,
  notification: [...EW, 'initial_assessment', 'severity', 'impact.description'],
  intermediate: ['status_update'],
  final: ['description', 'severity', 'impact.description', 'root_cause', 'mitigation.applied', 'mitigation.ongoing', 'cross_border_impact'],
  progress: ['status_update', 'expected_handled_at'],
};
const OWN = new Set(['status_update', 'expected_handled_at']); // not inherited
const CHOICE = {
  malicious: ['yes', 'no', 'unknown'], cross_border: ['yes', 'no', 'unknown'], personal_data: ['yes', 'no', 'unknown'],
  severity: ['low', 'medium', 'high', 'critical'],
};
const LONG = new Set(['summary', 'initial_assessment', 'impact.description', 'description', 'mitigation.applied', 'mitigation.ongoing', 'cross_border_impact', 'status_update', 'indicators']);
const NUM = new Set(['impact.users_affected', 'impact.duration_minutes', 'impact.financial_loss_eur']);

function getPath(o, p) {
  return p.split('.').reduce((x, k) => (x && x[k] !== undefined && x[k] !== null ? x[k] : undefined), o);
}
function setPath(o, p, v) {
  const ks = p.split('.');
  let x = o;
  for (const k of ks.slice(0, -1)) x = x[k] || (x[k] = {});
  x[ks[ks.length - 1]] = v;
}

function validate(t, key, v) {
  if (!v) return '';
  if (key === 'contact.email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return t('report.badEmail');
  if (key === 'contact.phone') {
    const digits = v.replace(/\D/g, '').length;
    if (!/^\+?[0-9 ()\-.]+$/.test(v) || digits < 6 || digits > 20) return t('report.badPhone');
  }
  if (NUM.has(key) && !(Number(v) >= 0)) return t('report.badNumber');
  if (key === 'indicators') {
    const bad = v.split('\n').map((l) => l.trim()).filter(Boolean).find((l) => !/^\S+\s+\S/.test(l));
    if (bad) return t('report.badIndicator', { line: bad });
  }
  return '';
}

function reportForm(ctx, inc, stage, done) {
  const { t } = ctx;
  const state = inc.state || {};
  const msg = h('p.error', { role: 'alert', tabindex: '-1' });
  const fields = {};
  const needNow = (key) => NEED[stage].includes(key) && (OWN.has(key) || getPath(state, key) === undefined);
  const box = h('div.report-fields');
  for (const key of SHOW[stage]) {
    let c;
    if (CHOICE[key]) {
      c = h('select', h('option', { value: '' }, t('report.choose')), CHOICE[key].map((v) => h('option', { value: v }, t(`report.v.${v}`))));
    } else if (key === 'expected_handled_at') {
      c = h('input', { type: 'datetime-local' });
    } else if (LONG.has(key)) {
      c = h('textarea', { rows: key === 'indicators' ? 4 : 3 });
    } else {
      c = h('input', {
        type: key === 'contact.email' ? 'email' : NUM.has(key) ? 'number' : key === 'contact.phone' ? 'tel' : 'text',
        min: NUM.has(key) ? '0' : null, step: key === 'impact.financial_loss_eur' ? '0.01' : null,
        autocomplete: key === 'contact.name' ? 'name' : key === 'contact.email' ? 'email' : key === 'contact.phone' ? 'tel' : null,
      });
    }
    const req = needNow(key);
    if (req) c.required = true;
    const have = getPath(state, key);
    const hint = [t(`report.h.${key}`), have !== undefined && !OWN.has(key) ? t('report.inherited', { value: Array.isArray(have) ? have.length : String(have) }) : ''].filter(Boolean).join(' ');
    const f = field([t(`report.f.${key}`), req ? h('span.req', ` ${t('form.requiredMark')}`) : null], c, hint);
    f.key = key;
    fields[key] = f;
    const check = () => {
      const v = c.value.trim();
      f.setError(req && !v ? t('form.required') : validate(t, key, v));
    };
    c.addEventListener('input', check);
    c.addEventListener('blur', check);
    f.check = () => { check(); return !f.querySelector('[aria-invalid]'); };
    box.append(f);
  }
  const count = h('p.hint', { 'aria-live': 'polite' });
  const recount = () => {
    const missing = Object.values(fields).filter((f) => f.control.required && !f.control.value.trim()).length;
    count.textContent = missing ? t('report.missing', { n: missing }) : t('report.complete');
  };
  box.addEventListener('input', recount);
  recount();
  return h('form.stack.report', {
    id: `report-${stage}`,
    on: {
      submit: async (e) => {
        e.preventDefault();
        const bad = Object.values(fields).filter((f) => !f.check());
        if (bad.length) { bad[0].control.focus(); recount(); return; }
        const body = {};
        for (const [key, f] of Object.entries(fields)) {
          const v = f.control.value.trim();
          if (!v) continue;
          if (NUM.has(key)) setPath(body, key, Number(v));
          else if (key === 'expected_handled_at') setPath(body, key, new Date(v).toISOString().replace(/\.\d{3}Z$/, 'Z'));
          else if (key === 'indicators') {
            body.indicators = v.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
              const [type, ...rest] = l.split(/\s+/);
              return { type, value: rest.join(' ') };
            });
          } else setPath(body, key, v);
        }
        try {
          await post(`/api/v1/incidents/${inc.id}/reports${q({ stage })}`, body);
          ctx.announce(t('report.sent'));
          done();
        } catch (err) {
          msg.textContent = explain(err);
          if (err instanceof ApiError && err.body && err.body.error && err.body.error.problems) {
            for (const p of err.body.error.problems) {
              const key = String(p.path || '').replace(/^\$\.?/, '').replace(/\[\d+\].*$/, '');
              if (fields[key]) fields[key].setError(p.message);
            }
          }
          msg.focus();
        }
      },
    },
  }, h('h3', t(`stage.${stage}`)), h('p.hint', t(`report.intro.${stage}`)), msg, box, count,
  h('button', { type: 'submit', id: `submit-${stage}` }, t('report.submit', { stage: t(`stage.${stage}`) })));
}

export async function render(main, ctx, params) {
  const { t } = ctx;
  const inc = (await get(`/api/v1/incidents/${encodeURIComponent(params.id)}`)).incident;
  const own = inc.org === ctx.user.org;
  const msg = h('p.error', { role: 'alert' });
  main.append(
    h('p.crumbs', h('a', { href: '#/incidents' }, t('nav.incidents'))),
    h('h1', inc.title),
    msg,
    h('dl.meta',
      h('dt', t('incidents.col.org')), h('dd', inc.org),
      h('dt', t('incident.sector')), h('dd', inc.sector || ''),
      h('dt', t('incidents.col.aware')), h('dd', fmtTime(inc.aware_at, ctx.lang())),
      h('dt', t('incidents.col.status')), h('dd', t(`incident.status.${inc.status}`)),
      h('dt', t('incident.entity')), h('dd', inc.entity_type)),
    h('div.actions', h('a.button.secondary', { href: `/api/v1/incidents/${inc.id}/pdf`, download: `incident-${inc.id}.pdf` }, t('incident.pdf'))),
  );

  main.append(h('h2', t('incident.deadlines')), table(t('incident.deadlinesCaption'),
    [t('incident.stage'), t('incident.due'), t('incident.clock'), t('incident.article')],
    (inc.deadlines || []).map((d) => [t(`stage.${d.stage}`), d.due ? fmtTime(d.due, ctx.lang()) : '–', clock(d, startOf(inc, d)), d.article || ''])));

  main.append(h('h2', t('incident.reports')), (inc.reports || []).length
    ? table(null, [t('incident.stage'), t('incident.submitted'), t('incident.author'), t('incident.content')],
      inc.reports.map((r) => [t(`stage.${r.stage}`), fmtTime(r.submitted_at, ctx.lang()), r.author || '',
        h('details', h('summary', t('incident.show')), h('pre.json', JSON.stringify(r.report, null, 2)))]))
    : empty(t('incident.noReports')));

  main.append(h('h2', t('incident.actions')), (inc.actions || []).length
    ? table(null, [t('incident.when'), t('incident.who'), t('incident.what')],
      inc.actions.map((a) => [fmtTime(a.at || a.time || a.created, ctx.lang()), a.author || a.by_org || a.org || '',
        [t(`action.${a.kind || a.action || a.type}`), a.text ? `: ${a.text}` : '', a.by ? ` (${fmtTime(a.by, ctx.lang())})` : '']]))
    : empty(t('incident.noActions')));

  if (own) {
    const stageSel = h('select', { id: 'stage-select' }, STAGES.map((s) => h('option', { value: s }, t(`stage.${s}`))));
    const firstOpen = (inc.deadlines || []).find((d) => !d.submitted && STAGES.includes(d.stage));
    if (firstOpen) stageSel.value = firstOpen.stage;
    const holder = h('div');
    const show = () => holder.replaceChildren(reportForm(ctx, inc, stageSel.value, () => ctx.refresh()));
    stageSel.addEventListener('change', show);
    show();
    main.append(h('h2', t('incident.newReport')), field(t('incident.whichReport'), stageSel), holder);
  } else {
    main.append(csirtView(ctx, inc, msg));
  }
}

function csirtView(ctx, inc, msg) {
  const { t } = ctx;
  const act = async (path, body) => {
    try {
      await post(`/api/v1/incidents/${inc.id}/${path}`, body);
      ctx.announce(t('csirt.done'));
      ctx.refresh();
    } catch (e) {
      msg.textContent = explain(e);
    }
  };
  const by = h('input', { type: 'datetime-local', required: true });
  const text = h('textarea', { rows: 3, required: true });
  return h('section.csirt', { 'aria-labelledby': 'csirt-h' },
    h('h2', { id: 'csirt-h' }, t('csirt.title')),
    h('p.hint', t('csirt.intro')),
    h('div.actions', h('button', { type: 'button', id: 'ack', on: { click: () => act('ack') } }, t('csirt.ack'))),
    h('form.stack', { on: { submit: (e) => { e.preventDefault(); if (by.value) act('ask', { by: new Date(by.value).toISOString().replace(/\.\d{3}Z$/, 'Z') }); } } },
      field(t('csirt.askBy'), by, t('csirt.askHint')), h('button.secondary', { type: 'submit' }, t('csirt.ask'))),
    h('form.stack', { on: { submit: (e) => { e.preventDefault(); if (text.value.trim()) act('comments', { text: text.value.trim() }); } } },
      field(t('csirt.comment'), text), h('button.secondary', { type: 'submit' }, t('csirt.send'))));
}
