// event.js - one event: what it is, its TLP and audience, attributes and
// objects (paged), tags, correlations (other events the user may see that
// hold the same value) and sightings over time as a chart.
import { h, fmtTime, put } from '../dom.js';
import { get, post, q, explain } from '../api.js';
import { levelOf, badge, distName } from '../tlp.js';
import { table, errorBox, empty, barChart } from './common.js';

const PAGE = 50;
const CORRELATE_MAX = 30;

function pagedTable(ctx, caption, cols, rows) {
  const box = h('div');
  let page = 0;
  const draw = () => {
    box.replaceChildren(table(caption, cols, rows.slice(page * PAGE, (page + 1) * PAGE)));
    if (rows.length > PAGE) {
      const last = Math.ceil(rows.length / PAGE) - 1;
      box.append(h('nav.pager', { 'aria-label': ctx.t('pager.label') },
        h('button.secondary', { type: 'button', disabled: page === 0, on: { click: () => { page -= 1; draw(); } } }, ctx.t('pager.prev')),
        h('span', ctx.t('pager.of', { n: page + 1, m: last + 1 })),
        h('button.secondary', { type: 'button', disabled: page === last, on: { click: () => { page += 1; draw(); } } }, ctx.t('pager.next'))));
    }
  };
  draw();
  return box;
}

export async function render(main, ctx, params) {
  const { t } = ctx;
  const uuid = params.id;
  const r = await get(`/api/v1/events/${encodeURIComponent(uuid)}`);
  const ev = r.Event || r;
  const level = levelOf(ev);
  const own = ev.Orgc && ev.Orgc.name === ctx.user.org;
  const msg = h('p.notice', { role: 'status' });

  const actions = h('div.actions');
  if (own) {
    actions.append(h('a.button.secondary', { href: `#/events/${encodeURIComponent(uuid)}/edit`, id: 'edit-event' }, t('event.edit')));
    if (!ev.published) {
      actions.append(h('button', {
        type: 'button', id: 'publish',
        on: {
          click: async (e) => {
            e.target.disabled = true;
            try {
              await post(`/api/v1/events/${encodeURIComponent(uuid)}/publish`);
              ctx.announce(t('event.published'));
              ctx.refresh();
            } catch (err) {
              msg.textContent = explain(err);
              e.target.disabled = false;
            }
          },
        },
      }, t('event.publish')));
    }
  }
  actions.append(h('a.button.secondary', { href: `/api/v1/events/${encodeURIComponent(uuid)}/stix`, download: `${uuid}.stix.json` }, t('event.stix')));

  const tags = (ev.Tag || []).filter((x) => !/^tlp:/i.test(x.name || ''));
  put(main, 
    h('p.crumbs', h('a', { href: '#/events' }, t('nav.events'))),
    h('div.page-head', h('h1', ev.info || uuid), badge(level)),
    msg,
    h('dl.meta',
      h('dt', t('event.org')), h('dd', (ev.Orgc && ev.Orgc.name) || ''),
      h('dt', t('event.date')), h('dd', ev.date || ''),
      h('dt', t('event.distribution')), h('dd', distName(ev.distribution || 0),
        ev.SharingGroup && ev.SharingGroup.name ? ` (${ev.SharingGroup.name})` : ''),
      h('dt', t('event.published.label')), h('dd', ev.published ? t('common.yes') : t('common.no')),
      h('dt', t('event.threat')), h('dd', t(`threat.${ev.threat_level_id || 4}`)),
      h('dt', t('event.analysis')), h('dd', t(`analysis.${ev.analysis || 0}`)),
      h('dt', t('event.uuid')), h('dd.mono', uuid)),
    h('p.tlp-meaning', t(`tlp.${level}.meaning`)),
    tags.length ? h('ul.tags', { 'aria-label': t('event.tags') }, tags.map((x) => h('li.tag', x.name))) : null,
    actions,
  );

  const attrs = (ev.Attribute || []).filter((a) => !a.deleted);
  const cols = [t('attr.category'), t('attr.type'), t('attr.value'), t('attr.ids'), t('attr.comment'), t('attr.sighting')];
  const sightBtn = (a) => h('button.small.secondary', {
    type: 'button',
    'aria-label': t('attr.reportSightingOf', { value: a.value }),
    on: {
      click: async (e) => {
        e.target.disabled = true;
        try {
          await post('/api/v1/sightings', { uuid: a.uuid, type: '0', source: 'web' });
          ctx.announce(t('attr.sighted'));
          e.target.textContent = t('attr.sighted');
        } catch (err) {
          msg.textContent = explain(err);
          e.target.disabled = false;
        }
      },
    },
  }, t('attr.reportSighting'));
  const row = (a) => [a.category || '', a.type, h('span.mono.value', a.value),
    a.to_ids ? t('common.yes') : t('common.no'),
    [a.comment || '', a.warninglist ? h('span.warn', ` ${t('attr.warninglist', { name: a.warninglist })}`) : null],
    sightBtn(a)];
  put(main, h('h2', t('event.attributes', { n: attrs.length })));
  put(main, attrs.length ? pagedTable(ctx, null, cols, attrs.map(row)) : empty(t('event.noAttributes')));

  // An object's attributes by their relation in the object (its
  // template's names: sha256, dst-port), where a loose one has a category.
  const ocols = [t('attr.relation'), ...cols.slice(1)];
  for (const o of ev.Object || []) {
    const oa = (o.Attribute || []).filter((a) => !a.deleted);
    put(main, h('h3', t('event.object', { name: o.name || '', n: oa.length })),
      o.comment ? h('p', o.comment) : null, pagedTable(ctx, null, ocols, oa.map((a) => [a.object_relation || '', ...row(a).slice(1)])));
  }

  const corr = h('section', { 'aria-labelledby': 'corr-h' }, h('h2', { id: 'corr-h' }, t('event.correlations')), h('p.loading', t('app.loading')));
  const sight = h('section', { 'aria-labelledby': 'sight-h' }, h('h2', { id: 'sight-h' }, t('event.sightings')), h('p.loading', t('app.loading')));
  put(main, corr, sight);
  correlations(ctx, ev, [...attrs, ...(ev.Object || []).flatMap((o) => o.Attribute || [])], corr);
  sightings(ctx, uuid, attrs, sight);
}

async function correlations(ctx, ev, attrs, box) {
  const { t } = ctx;
  const values = [...new Map(attrs.map((a) => [`${a.type}\u0000${a.value}`, a])).values()].slice(0, CORRELATE_MAX);
  const found = new Map();
  try {
    let i = 0;
    const worker = async () => {
      while (i < values.length) {
        const a = values[i++];
        let r;
        try {
          r = await get(`/api/v1/indicators${q({ value: a.value, type: a.type })}`);
        } catch (e) {
          if (e.status === 400 || e.status === 422) continue; // a type the look-up does not read
          throw e;
        }
        for (const m of (r.response && r.response.Attribute) || []) {
          if (m.event_uuid === ev.uuid) continue;
          const k = m.event_uuid;
          if (!found.has(k)) found.set(k, { uuid: k, info: (m.Event && m.Event.info) || k, tlp: m.tlp, values: new Set() });
          found.get(k).values.add(a.value);
        }
      }
    };
    await Promise.all([worker(), worker(), worker()]);
  } catch (e) {
    box.lastChild.replaceWith(errorBox(e));
    return;
  }
  box.lastChild.replaceWith(found.size
    ? table(null, [t('events.col.tlp'), t('events.col.info'), t('event.sharedValues')], [...found.values()].map((c) => [
      badge(c.tlp || 'amber'), h('a', { href: `#/events/${encodeURIComponent(c.uuid)}` }, c.info), [...c.values].join(', ')]))
    : empty(t('event.noCorrelations')));
}

async function sightings(ctx, uuid, attrs, box) {
  const { t } = ctx;
  let list = [];
  try {
    let after = 0;
    for (let n = 0; n < 20; n++) {
      const r = await get(`/api/v1/events/${encodeURIComponent(uuid)}/sightings${q({ after: after || '' })}`);
      list = list.concat((r.response || []).map((x) => x.Sighting || x));
      if (!r.more) break;
      after = r.last_id;
    }
  } catch (e) {
    box.lastChild.replaceWith(errorBox(e));
    return;
  }
  if (!list.length) {
    box.lastChild.replaceWith(empty(t('event.noSightings')));
    return;
  }
  box.lastChild.replaceWith(sightingCharts(ctx, list, attrs));
}

// Per day (the last 30 days that have any, as a chart), per organisation
// and per indicator (tables).
export function sightingCharts(ctx, list, attrs) {
  const { t } = ctx;
  const byDay = new Map();
  const byOrg = new Map();
  const byAttr = new Map();
  const val = new Map((attrs || []).map((a) => [a.uuid, a.value]));
  for (const s of list) {
    const c = Number(s.count || 1);
    const day = new Date(Number(s.date_sighting) * 1000).toISOString().slice(0, 10);
    byDay.set(day, (byDay.get(day) || 0) + c);
    // The hub names the organisation where its policy lets the reader
    // know it, else only its sector.
    const so = s.Organisation || {};
    const o = so.name || s.org || (so.sector ? t('sightings.sector', { sector: so.sector }) : '?');
    byOrg.set(o, (byOrg.get(o) || 0) + c);
    const v = s.value || val.get(s.attribute_uuid) || s.attribute_uuid;
    byAttr.set(v, (byAttr.get(v) || 0) + c);
  }
  // Every day of the last 30 that had sightings, or at least the last 14,
  // with the days without any as zero: gaps are part of the picture.
  const keys = [...byDay.keys()].sort();
  const dayMs = 86400e3;
  const end = Math.max(Date.parse(keys[keys.length - 1]), Date.parse(new Date().toISOString().slice(0, 10)));
  const start = Math.max(Math.min(Date.parse(keys[0]), end - 13 * dayMs), end - 29 * dayMs);
  const days = [];
  for (let d = start; d <= end; d += dayMs) {
    const label = new Date(d).toISOString().slice(0, 10);
    days.push({ label, value: byDay.get(label) || 0 });
  }
  return h('div',
    barChart(t('sightings.perDay'), days, { labelCol: t('sightings.day'), valueCol: t('sightings.count') }),
    h('div.grid2',
      table(t('sightings.perOrg'), [t('sightings.org'), t('sightings.count')], [...byOrg.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, String(v)])),
      table(t('sightings.perIndicator'), [t('sightings.indicator'), t('sightings.count')], [...byAttr.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [h('span.mono.value', k), String(v)]))));
}
