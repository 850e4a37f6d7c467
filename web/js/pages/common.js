// common.js - pieces several pages share: tables that fold into cards on a
// narrow screen, paging, error boxes, a bar chart as inline SVG.
import { h, s } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../api.js';

// A table whose cells carry their column's name (data-label), so that at
// 375 px the CSS shows each row as a card with the names beside the values.
export function table(caption, cols, rows) {
  return h('div.table-wrap',
    h('table.rows',
      caption ? h('caption', caption) : null,
      h('thead', h('tr', cols.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', rows.map((r) => h('tr', r.map((cell, i) => h('td', { 'data-label': cols[i] }, cell)))))));
}

// Previous / next links; the hub's lists page by page and limit, and a
// page that came back full has (maybe) a next one.
export function pager(page, hasNext, hrefOf) {
  const nav = h('nav.pager', { 'aria-label': t('pager.label') });
  if (page > 1) nav.append(h('a.button.secondary', { href: hrefOf(page - 1), rel: 'prev' }, t('pager.prev')));
  nav.append(h('span', t('pager.page', { n: page })));
  if (hasNext) nav.append(h('a.button.secondary', { href: hrefOf(page + 1), rel: 'next' }, t('pager.next')));
  return nav;
}

export function errorBox(e) {
  return h('p.error', { role: 'alert' }, explain(e));
}

export function empty(text) {
  return h('p.empty', text);
}

// A vertical bar chart of [{label, value}] as inline SVG, with a title
// and a text alternative (the same numbers as a table for screen readers).
export function barChart(title, data, opts = {}) {
  const W = 640;
  const H = 200;
  const pad = { l: 40, r: 8, t: 10, b: 46 };
  const max = Math.max(1, ...data.map((d) => d.value));
  const bw = data.length ? (W - pad.l - pad.r) / data.length : 0;
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': title });
  svg.append(s('title', {}, title));
  for (const frac of [0, 0.5, 1]) {
    const v = Math.round(max * frac);
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(s('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, String(v)));
  }
  const every = Math.max(1, Math.ceil(data.length / 12));
  data.forEach((d, i) => {
    const x = pad.l + i * bw;
    const bar = s('rect', { x: x + bw * 0.15, y: y(d.value), width: Math.max(1, bw * 0.7), height: H - pad.b - y(d.value), class: `bar ${opts.cls ? opts.cls(d) : ''}` });
    bar.append(s('title', {}, `${d.label}: ${d.value}`));
    svg.append(bar);
    if (i % every === 0) {
      svg.append(s('text', { x: x + bw / 2, y: H - pad.b + 14, 'text-anchor': 'end', transform: `rotate(-35 ${x + bw / 2} ${H - pad.b + 14})`, class: 'axis' }, d.label));
    }
  });
  const alt = h('details.chart-data', h('summary', t('chart.asTable')),
    table(null, [opts.labelCol || t('chart.label'), opts.valueCol || t('chart.value')], data.map((d) => [d.label, String(d.value)])));
  return h('figure.chart-fig', h('figcaption', title), svg, alt);
}
