// incident.js - one incident: its deadlines as clocks, its reports, the
// report forms (early warning, notification, intermediate, final,
// progress) whose required fields are checked as the user types against
// what earlier reports already gave, and the CSIRT's view (acknowledge,
// ask for an intermediate report, comment) with its own 24-hour clock.
// Sharing the incident's indicators (as the organisation, or anonymously
// as a proposal to the CSIRT) and the proposals: the CSIRT approves or
// discards, the organisation withdraws (docs/incident.md, "Sharing the
// indicators").
import { h, field, fmtTime, put, nextId } from '../dom.js';
import { get, post, q, explain, ApiError } from '../api.js';
import { table, empty } from './common.js';
import { LEVELS, DISTRIBUTIONS, allowed, badge, distName } from '../tlp.js';
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
    novalidate: true,
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
  put(main, 
    h('p.crumbs', h('a', { href: '#/incidents' }, t('nav.incidents'))),
    h('h1', inc.title),
    msg,
    h('dl.meta',
      h('dt', t('incidents.col.org')), h('dd', inc.org),
      h('dt', t('incident.sector')), h('dd', inc.sector || ''),
      h('dt', t('incidents.col.aware')), h('dd', fmtTime(inc.aware_at, ctx.lang())),
      h('dt', t('incidents.col.status')), h('dd', t(`incident.status.${inc.status}`)),
      h('dt', t('incident.entity')), h('dd', t(`entity.${inc.entity_type}`))),
    h('div.actions', h('a.button.secondary', { href: `/api/v1/incidents/${inc.id}/pdf`, download: `incident-${inc.id}.pdf` }, t('incident.pdf'))),
  );

  put(main, h('h2', t('incident.deadlines')), table(t('incident.deadlinesCaption'),
    [t('incident.stage'), t('incident.due'), t('incident.clock'), t('incident.article')],
    (inc.deadlines || []).map((d) => [t(`stage.${d.stage}`), d.due ? fmtTime(d.due, ctx.lang()) : '–', clock(d, startOf(inc, d)), d.article || ''])));

  put(main, h('h2', t('incident.reports')), (inc.reports || []).length
    ? table(null, [t('incident.stage'), t('incident.submitted'), t('incident.author'), t('incident.content')],
      inc.reports.map((r) => [t(`stage.${r.stage}`), fmtTime(r.submitted_at, ctx.lang()), r.author || '',
        h('details', h('summary', t('incident.show')), h('pre.json', JSON.stringify(r.report, null, 2)))]))
    : empty(t('incident.noReports')));

  put(main, h('h2', t('incident.actions')), (inc.actions || []).length
    ? table(null, [t('incident.when'), t('incident.who'), t('incident.what')],
      inc.actions.map((a) => [fmtTime(a.at || a.time || a.created, ctx.lang()), a.author || a.by_org || a.org || '',
        [t(`action.${a.kind || a.action || a.type}`), a.text ? `: ${a.text}` : '', a.by ? ` (${fmtTime(a.by, ctx.lang())})` : '']]))
    : empty(t('incident.noActions')));

  // The proposals of this incident the caller's organisation made or decides.
  let proposals = [];
  try {
    proposals = ((await get('/api/v1/incidents/proposals')).response || []).filter((p) => String(p.incident) === String(inc.id));
  } catch (e) {
    if (!(e instanceof ApiError && (e.status === 403 || e.status === 404))) throw e;
  }

  if (own) {
    const stageSel = h('select', { id: 'stage-select' }, STAGES.map((s) => h('option', { value: s }, t(`stage.${s}`))));
    const firstOpen = (inc.deadlines || []).find((d) => !d.submitted && STAGES.includes(d.stage));
    if (firstOpen) stageSel.value = firstOpen.stage;
    const holder = h('div');
    const show = () => holder.replaceChildren(reportForm(ctx, inc, stageSel.value, () => ctx.refresh()));
    stageSel.addEventListener('change', show);
    show();
    put(main, h('h2', t('incident.newReport')), field(t('incident.whichReport'), stageSel), holder);
    if (!inc.handled_at) {
      const at = h('input', { type: 'datetime-local', required: true });
      const hmsg = h('p.error', { role: 'alert' });
      put(main, h('form.card.stack', {
        id: 'handled-form', novalidate: true,
        on: {
          submit: async (e) => {
            e.preventDefault();
            if (!at.value) { hmsg.textContent = t('form.required'); at.focus(); return; }
            try {
              await post(`/api/v1/incidents/${inc.id}/handled`, { at: new Date(at.value).toISOString().replace(/\.\d{3}Z$/, 'Z') });
              ctx.announce(t('incident.handledDone'));
              ctx.refresh();
            } catch (err) {
              hmsg.textContent = explain(err);
            }
          },
        },
      }, h('h2', t('incident.handled')), h('p.hint', t('incident.handledHint')), hmsg, field(t('incident.handledAt'), at),
      h('button.secondary', { type: 'submit' }, t('incident.markHandled'))));
    }
    put(main, shareBox(ctx, inc));
    if (proposals.length) put(main, proposalList(ctx, proposals, true));
  } else {
    put(main, csirtView(ctx, inc, msg));
    if (proposals.length) put(main, proposalList(ctx, proposals, false));
  }
}

// The events the incident was shared as, the form to share, and its
// proposals (withdraw while pending).
function shareBox(ctx, inc) {
  const { t } = ctx;
  const box = h('section.share', { 'aria-labelledby': 'share-h' }, h('h2', { id: 'share-h' }, t('share.title')));
  const shared = inc.events || [];
  if (shared.length) {
    box.append(table(t('share.done'), [t('share.event'), t('incident.when'), t('incident.who'), t('share.anonymous')],
      shared.map((e) => [h('a', { href: `#/events/${encodeURIComponent(e.uuid)}` }, e.uuid), fmtTime(e.at, ctx.lang()), e.author || '',
        e.anonymous ? t('share.yes') : t('share.no')])));
  }
  const n = ((inc.state && inc.state.indicators) || []).length;
  if (!n) {
    box.append(h('p.hint', t('share.noIndicators')));
    return box;
  }
  const msg = h('p.error', { role: 'alert', tabindex: '-1' });
  const tlp = h('select', { id: 'share-tlp' }, LEVELS.map((l) => h('option', { value: l, selected: l === 'amber' }, `TLP:${l.toUpperCase()}`)));
  const dist = h('select', { id: 'share-dist' });
  const sg = h('input', { type: 'text', spellcheck: 'false' });
  const sgF = field(t('edit.sharingGroup'), sg, t('edit.sharingGroupHint'));
  const anonId = nextId('anon');
  const anon = h('input', { type: 'checkbox', id: anonId, 'aria-describedby': `${anonId}-hint` });
  const why = h('p.hint', { 'aria-live': 'polite' });
  const sync = () => {
    const keep = Number(dist.value || 1);
    dist.replaceChildren(...DISTRIBUTIONS.filter((d) => allowed(tlp.value, d)).map((d) => h('option', { value: d }, distName(d))));
    dist.value = String(allowed(tlp.value, keep) ? keep : 0);
    sgF.hidden = dist.value !== '4';
    why.textContent = tlp.value === 'amber+strict' || tlp.value === 'red' ? t('edit.whyLimited', { tlp: `TLP:${tlp.value.toUpperCase()}` }) : '';
  };
  tlp.addEventListener('change', sync);
  dist.addEventListener('change', sync);
  sync();
  box.append(h('p.hint', t('share.intro', { n })), h('form.stack', {
    id: 'share-form', novalidate: true,
    on: {
      submit: async (e) => {
        e.preventDefault();
        msg.textContent = '';
        const body = { tlp: tlp.value, distribution: Number(dist.value), anonymous: anon.checked };
        if (dist.value === '4') {
          if (!sg.value.trim()) { sgF.setError(t('edit.sgRequired')); sg.focus(); return; }
          body.sharing_group = sg.value.trim();
        }
        try {
          const r = await post(`/api/v1/incidents/${inc.id}/share`, body);
          ctx.announce(r.status === 'pending' ? t('share.proposed') : t('share.published'));
          ctx.refresh();
        } catch (err) {
          msg.textContent = explain(err);
          msg.focus();
        }
      },
    },
  }, msg, h('div.grid2', field(t('edit.tlp'), tlp), h('div', field(t('edit.distribution'), dist), why)), sgF,
  h('div.field.check', anon, h('label', { for: anonId }, t('share.anonymousLabel'))),
  h('p.hint', { id: `${anonId}-hint` }, t('share.anonymousHint')),
  h('button', { type: 'submit', id: 'share-go' }, t('share.go'))));
  return box;
}

// Proposals as a list: each with its indicators and warninglist hits, and
// what the caller may do while it is pending (the CSIRT: approve,
// discard; the organisation: withdraw).
function proposalList(ctx, list, own) {
  const { t } = ctx;
  const msg = h('p.error', { role: 'alert', tabindex: '-1' });
  const decide = async (p, op) => {
    msg.textContent = '';
    try {
      await post(`/api/v1/incidents/proposals/${p.id}/${op}`);
      ctx.announce(t(`proposal.done.${op}`));
      ctx.refresh();
    } catch (err) {
      msg.textContent = explain(err);
      msg.focus();
    }
  };
  const sec = h('section.proposals', { 'aria-labelledby': `proposals-h-${own ? 'own' : 'csirt'}` },
    h('h2', { id: `proposals-h-${own ? 'own' : 'csirt'}` }, t('proposal.title')), h('p.hint', t(own ? 'proposal.introOwn' : 'proposal.introCsirt')), msg);
  for (const p of list) {
    const hits = new Map((p.warninglist_hits || []).map((x) => [`${x.type} ${x.value}`, x.warninglist || '']));
    const ops = p.status !== 'pending' ? [] : own ? ['withdraw'] : ['approve', 'discard'];
    sec.append(h('article.card.proposal', { 'data-proposal': p.id },
      h('h3', t('proposal.head', { id: p.id, status: t(`proposal.status.${p.status}`) })),
      h('p', badge(p.tlp), ' ', distName(p.distribution), ' · ', t('proposal.count', { n: p.attributes, w: p.warninglisted }),
        p.event ? [' · ', h('a', { href: `#/events/${encodeURIComponent(p.event)}` }, t('share.event'))] : null),
      (p.indicators || []).length ? table(t('proposal.indicators'), [t('attr.type'), t('attr.value'), t('proposal.warninglist')],
        p.indicators.map((a) => [a.type, h('span.mono.value', a.value), hits.get(`${a.type} ${a.value}`) || '–'])) : null,
      ops.length ? h('div.actions', ops.map((op) => h(op === 'approve' ? 'button' : 'button.secondary', {
        type: 'button', id: `proposal-${op}-${p.id}`, on: { click: () => decide(p, op) },
      }, t(`proposal.${op}`)))) : null));
  }
  return sec;
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
    h('form.stack', { novalidate: true, on: { submit: (e) => { e.preventDefault(); if (by.value) act('ask', { by: new Date(by.value).toISOString().replace(/\.\d{3}Z$/, 'Z') }); } } },
      field(t('csirt.askBy'), by, t('csirt.askHint')), h('button.secondary', { type: 'submit' }, t('csirt.ask'))),
    h('form.stack', { novalidate: true, on: { submit: (e) => { e.preventDefault(); if (text.value.trim()) act('comments', { text: text.value.trim() }); } } },
      field(t('csirt.comment'), text), h('button.secondary', { type: 'submit' }, t('csirt.send'))));
}
