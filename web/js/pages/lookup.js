// lookup.js - paste many values (one per line, or separated by spaces or
// commas), see which the hub knows and in which events the user may see.
import { h, field } from '../dom.js';
import { get, q, explain } from '../api.js';
import { badge } from '../tlp.js';
import { table } from './common.js';

const MAX = 500;

export async function render(main, ctx, params) {
  const { t } = ctx;
  const ta = h('textarea', { rows: 8, spellcheck: 'false', id: 'lookup-values' });
  ta.value = params.query.values || '';
  const out = h('div', { 'aria-live': 'polite' });
  const f = h('form.stack', {
    on: {
      submit: async (e) => {
        e.preventDefault();
        const values = [...new Set(ta.value.split(/[\s,;]+/).map((v) => v.trim()).filter(Boolean))];
        out.replaceChildren();
        if (!values.length) { out.append(h('p.error', t('lookup.empty'))); return; }
        if (values.length > MAX) { out.append(h('p.error', t('lookup.tooMany', { n: MAX }))); return; }
        out.append(h('p.loading', t('lookup.running', { n: values.length })));
        const rows = [];
        let hits = 0;
        let i = 0;
        const worker = async () => {
          while (i < values.length) {
            const v = values[i++];
            try {
              const r = await get(`/api/v1/indicators${q({ value: v })}`);
              const attrs = (r.response && r.response.Attribute) || [];
              if (attrs.length) hits += 1;
              rows.push([v, attrs]);
            } catch (err) {
              rows.push([v, err]);
            }
          }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);
        rows.sort((a, b) => values.indexOf(a[0]) - values.indexOf(b[0]));
        const cols = [t('lookup.value'), t('lookup.result')];
        out.replaceChildren(
          h('p', { role: 'status' }, t('lookup.summary', { hits, n: values.length })),
          table(t('lookup.caption'), cols, rows.map(([v, r]) => [
            h('span.mono.value', v),
            r instanceof Error ? h('span.error', explain(r))
              : r.length ? h('ul.hits', r.map((a) => h('li', badge(a.tlp || 'amber'), ' ',
                h('a', { href: `#/events/${encodeURIComponent(a.event_uuid)}` }, (a.Event && a.Event.info) || a.event_uuid),
                ' ', h('span.hint', t('lookup.matchedAs', { type: a.type, value: a.value })),
                a.warninglist ? h('span.warn', ` ${t('attr.warninglist', { name: a.warninglist })}`) : null)))
                : h('span.muted', t('lookup.noHit')),
          ])));
      },
    },
  }, field(t('lookup.label'), ta, t('lookup.hint')), h('button', { type: 'submit', id: 'lookup-go' }, t('lookup.submit')));
  main.append(h('h1', t('lookup.title')), h('p.lead', t('lookup.intro')), f, out);
}
