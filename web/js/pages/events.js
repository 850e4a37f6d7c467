// events.js - the events the user may see: filters (TLP, organisation,
// since, tag), search by value (through the indicator look-up, so it finds
// exactly what the policy lets the user see), paging.
import { h, field, fmtTime } from '../dom.js';
import { get, q } from '../api.js';
import { LEVELS, levelOf, badge, distName } from '../tlp.js';
import { table, pager, empty, errorBox } from './common.js';

const LIMIT = 25;

export async function list(main, ctx, params) {
  const { t } = ctx;
  const qy = params.query;
  const page = Math.max(1, parseInt(qy.page || '1', 10) || 1);
  const tlp = h('select', { name: 'tlp' }, h('option', { value: '' }, t('events.anyTlp')),
    LEVELS.map((l) => h('option', { value: l, selected: qy.tlp === l }, `TLP:${l.toUpperCase()}`)));
  const org = h('input', { type: 'text', name: 'org', value: qy.org || '' });
  const since = h('input', { type: 'date', name: 'since', value: qy.since || '' });
  const value = h('input', { type: 'search', name: 'value', value: qy.value || '', spellcheck: 'false' });
  const form = h('form.filters', {
    role: 'search',
    on: {
      submit: (ev) => {
        ev.preventDefault();
        const p = { tlp: tlp.value, org: org.value.trim(), since: since.value, value: value.value.trim() };
        ctx.go(`#/events${q(p)}`);
      },
    },
  },
  field(t('events.search'), value, t('events.searchHint')),
  field(t('events.tlp'), tlp),
  field(t('events.org'), org),
  field(t('events.since'), since),
  h('div.field.actions', h('button', { type: 'submit' }, t('events.filter'))));

  main.append(h('div.page-head', h('h1', t('events.title')),
    h('a.button', { href: '#/events/new', id: 'new-event' }, t('events.new'))), form);

  let events;
  let hasNext = false;
  try {
    if (qy.value) {
      // Search by value: the events holding a matching attribute.
      const r = await get(`/api/v1/indicators${q({ value: qy.value })}`);
      const seen = new Map();
      for (const a of (r.response && r.response.Attribute) || []) {
        if (!seen.has(a.event_uuid)) seen.set(a.event_uuid, { ...(a.Event || {}), uuid: a.event_uuid, _tlp: a.tlp, _match: a.value });
      }
      events = [...seen.values()];
    } else {
      const p = { page, limit: LIMIT + 1, tag: qy.tlp ? `tlp:${qy.tlp}` : '', org: qy.org, since: qy.since };
      const r = await get(`/api/v1/events${q(p)}`);
      events = (r.response || []).map((x) => x.Event);
      hasNext = events.length > LIMIT;
      events = events.slice(0, LIMIT).reverse(); // newest first on the page
    }
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  if (qy.value) main.append(h('p', t('events.searchResult', { n: events.length, value: qy.value })));
  if (!events.length) {
    main.append(empty(qy.value ? t('events.noMatch') : t('events.none')));
    return;
  }
  const cols = [t('events.col.tlp'), t('events.col.info'), t('events.col.org'), t('events.col.date'), t('events.col.distribution'), t('events.col.attributes')];
  main.append(table(t('events.caption'), cols, events.map((ev) => [
    badge(ev._tlp || levelOf(ev)),
    h('a', { href: `#/events/${encodeURIComponent(ev.uuid)}` }, ev.info || ev.uuid),
    (ev.Orgc && ev.Orgc.name) || '',
    ev.date || fmtTime(Number(ev.timestamp), ctx.lang()),
    ev.distribution !== undefined ? distName(ev.distribution) : '',
    ev.Attribute ? String(ev.Attribute.length) : '',
  ])));
  if (!qy.value) main.append(pager(page, hasNext, (n) => `#/events${q({ ...qy, page: n })}`));
}
