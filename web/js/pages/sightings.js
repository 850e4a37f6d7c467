// sightings.js - who sighted what: per day (chart), per organisation and
// per indicator, within what the user may see. Uses the hub's sightings
// list (GET /api/v1/sightings with since, org, event, value) where the hub
// has it, else one event's sightings (GET /api/v1/events/{uuid}/sightings).
import { h, field } from '../dom.js';
import { get, q, ApiError } from '../api.js';
import { errorBox, empty } from './common.js';
import { sightingCharts } from './event.js';

async function fetchAll(base, params) {
  let list = [];
  let after = 0;
  for (let n = 0; n < 20; n++) {
    const r = await get(`${base}${q({ ...params, after: after || '' })}`);
    list = list.concat((r.response || []).map((x) => x.Sighting || x));
    if (!r.more) break;
    after = r.last_id;
  }
  return list;
}

export async function render(main, ctx, params) {
  const { t } = ctx;
  const qy = params.query;
  main.append(h('h1', t('sightings.title')), h('p.lead', t('sightings.intro')));
  let events = [];
  try {
    const r = await get('/api/v1/events?limit=200');
    events = (r.response || []).map((x) => x.Event).reverse();
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  const ev = h('select', { name: 'event' }, h('option', { value: '' }, t('sightings.allEvents')),
    events.map((e) => h('option', { value: e.uuid, selected: qy.event === e.uuid }, e.info)));
  const since = h('input', { type: 'date', value: qy.since || '' });
  const org = h('input', { type: 'text', value: qy.org || '' });
  const value = h('input', { type: 'search', value: qy.value || '', spellcheck: 'false' });
  main.append(h('form.filters', {
    on: {
      submit: (e) => {
        e.preventDefault();
        ctx.go(`#/sightings${q({ event: ev.value, since: since.value, org: org.value.trim(), value: value.value.trim() })}`);
      },
    },
  }, field(t('sightings.event'), ev), field(t('sightings.since'), since), field(t('sightings.org'), org),
  field(t('sightings.indicator'), value), h('div.field.actions', h('button', { type: 'submit' }, t('events.filter')))));

  let list;
  let attrs = [];
  try {
    try {
      list = await fetchAll('/api/v1/sightings', { since: qy.since, org: qy.org, event: qy.event, value: qy.value });
    } catch (e) {
      if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
      // This hub lists sightings per event only.
      if (!qy.event) {
        main.append(empty(t('sightings.pickEvent')));
        return;
      }
      list = await fetchAll(`/api/v1/events/${encodeURIComponent(qy.event)}/sightings`, {});
      const since0 = qy.since ? Date.parse(qy.since) / 1000 : 0;
      list = list.filter((s) => Number(s.date_sighting) >= since0 &&
        (!qy.org || ((s.Organisation && s.Organisation.name) || '').toLowerCase() === qy.org.toLowerCase()));
    }
    if (qy.event) {
      const r = await get(`/api/v1/events/${encodeURIComponent(qy.event)}`);
      attrs = ((r.Event || r).Attribute || []);
      if (qy.value) {
        const keep = new Set(attrs.filter((a) => a.value === qy.value).map((a) => a.uuid));
        list = list.filter((s) => keep.has(s.attribute_uuid) || s.value === qy.value);
      }
    }
  } catch (e) {
    main.append(errorBox(e));
    return;
  }
  main.append(list.length ? sightingCharts(ctx, list, attrs) : empty(t('sightings.none')));
}
