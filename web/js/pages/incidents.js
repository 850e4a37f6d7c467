// incidents.js - the incidents the user may see (the organisation's own,
// or those routed to the user's CSIRT or supervisor), each with its next
// deadline as a clock; the proposals still pending (for a CSIRT: the
// indicators its constituents ask it to publish, decided on the
// incident's page); and a new incident.
import { h, field, fmtTime, put } from '../dom.js';
import { get, post, explain, ApiError } from '../api.js';
import { badge, distName } from '../tlp.js';
import { table, empty, errorBox } from './common.js';
import { clock, startOf } from './clock.js';

export async function list(main, ctx) {
  const { t } = ctx;
  put(main, h('div.page-head', h('h1', t('incidents.title')),
    h('div.actions', h('a.button.secondary', { href: '#/incidents/significance', id: 'significance' }, t('sig.title')),
      h('a.button', { href: '#/incidents/new', id: 'new-incident' }, t('incidents.new')))),
  h('p.lead', t('incidents.intro')));
  let list;
  try {
    list = (await get('/api/v1/incidents')).response || [];
  } catch (e) {
    put(main, errorBox(e));
    return;
  }
  let pending = [];
  try {
    pending = (await get('/api/v1/incidents/proposals?status=pending')).response || [];
  } catch (e) {
    if (!(e instanceof ApiError && (e.status === 403 || e.status === 404))) throw e;
  }
  if (pending.length) {
    const title = new Map(list.map((i) => [String(i.id), i.title]));
    put(main, h('section.pending', { 'aria-labelledby': 'pending-h' }, h('h2', { id: 'pending-h' }, t('proposal.pending')),
      table(null, [t('proposal.col.proposal'), t('incidents.col.title'), t('proposal.col.what'), t('proposal.col.when')],
        pending.map((p) => [String(p.id), h('a', { href: `#/incidents/${p.incident}` }, title.get(String(p.incident)) || `#${p.incident}`),
          h('span', badge(p.tlp), ' ', distName(p.distribution), ' · ', t('proposal.count', { n: p.attributes, w: p.warninglisted })),
          fmtTime(p.created, ctx.lang())]))));
  }
  if (!list.length) { put(main, empty(t('incidents.none'))); return; }
  list.sort((a, b) => Date.parse(b.aware_at) - Date.parse(a.aware_at));
  const cols = [t('incidents.col.title'), t('incidents.col.org'), t('incidents.col.aware'), t('incidents.col.next'), t('incidents.col.status')];
  put(main, table(t('incidents.caption'), cols, list.map((inc) => {
    const open = (inc.deadlines || []).filter((d) => !d.submitted && d.due).sort((a, b) => Date.parse(a.due) - Date.parse(b.due));
    const next = open[0];
    return [
      h('a', { href: `#/incidents/${inc.id}` }, inc.title),
      inc.org,
      fmtTime(inc.aware_at, ctx.lang()),
      next ? h('span', t(`stage.${next.stage}`), ': ', clock(next, startOf(inc, next))) : t('incidents.nothingDue'),
      t(`incident.status.${inc.status}`),
    ];
  })));
}

function localInput(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export async function create(main, ctx) {
  const { t } = ctx;
  const msg = h('p.error', { role: 'alert', tabindex: '-1' });
  const title = h('input', { type: 'text', required: true, maxlength: 500 });
  const aware = h('input', { type: 'datetime-local', required: true, value: localInput(new Date()) });
  const detected = h('input', { type: 'datetime-local' });
  const entity = h('select', ['other', 'dns', 'tld', 'cloud', 'data-centre', 'cdn', 'msp', 'mssp', 'marketplace', 'search-engine', 'social-network', 'trust-service'].map((v) => h('option', { value: v }, t(`entity.${v}`))));
  const fT = field(t('incidents.f.title'), title);
  const fA = field(t('incidents.f.aware'), aware, t('incidents.f.awareHint'));
  const check = () => {
    fT.setError(title.value.trim() ? '' : t('form.required'));
    fA.setError(aware.value ? (Date.parse(aware.value) > Date.now() ? t('incidents.f.future') : '') : t('form.required'));
    return title.value.trim() && aware.value && Date.parse(aware.value) <= Date.now();
  };
  title.addEventListener('input', check);
  aware.addEventListener('input', check);
  const f = h('form.stack', {
    novalidate: true,
    id: 'incident-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        if (!check()) return;
        const body = { title: title.value.trim(), aware_at: new Date(aware.value).toISOString().replace(/\.\d{3}Z$/, 'Z'), entity_type: entity.value };
        if (detected.value) body.detected_at = new Date(detected.value).toISOString().replace(/\.\d{3}Z$/, 'Z');
        try {
          const r = await post('/api/v1/incidents', body);
          ctx.go(`#/incidents/${r.incident.id}`);
        } catch (err) {
          msg.textContent = explain(err);
          msg.focus();
        }
      },
    },
  }, msg, fT, fA, field(t('incidents.f.detected'), detected), field(t('incidents.f.entity'), entity, t('incidents.f.entityHint')),
  h('div.actions', h('button', { type: 'submit', id: 'save-incident' }, t('incidents.create')),
    h('a.button.secondary', { href: '#/incidents' }, t('common.cancel'))));
  put(main, h('h1', t('incidents.newTitle')), h('p.lead', t('incidents.newIntro')), f);
}
