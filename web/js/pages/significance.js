// significance.js - is an incident significant (NIS2 Art. 23(3) and
// Implementing Regulation (EU) 2024/2690)? The facts as a form; the hub's
// answer (POST /api/v1/incidents/significance, the rules of `weerbaar
// incident assess`) is shown criterion by criterion as the user answers.
import { h, field, put } from '../dom.js';
import { api, q, explain } from '../api.js';
import { table } from './common.js';

const ENTITIES = ['other', 'dns', 'tld', 'cloud', 'data-centre', 'cdn', 'msp', 'mssp', 'marketplace', 'search-engine', 'social-network', 'trust-service'];
const GROUPS = [
  ['general', [['severe_operational_disruption', 'a'], ['severe_financial_loss', 'a'], ['damage_to_others', 'a'], ['scheduled_maintenance', 'a']]],
  ['loss', [['financial_loss_eur', 'n'], ['annual_turnover_eur', 'n'], ['trade_secrets_exfiltrated', 'a'], ['death', 'a'], ['health_damage', 'a'], ['malicious_access', 'a'],
    ['recurring.occurrences_6_months', 'n'], ['recurring.same_root_cause', 'a'], ['recurring.financial_loss_eur', 'n']]],
  ['service', [['users_eu', 'n'], ['complete_unavailability_minutes', 'n'], ['complete_unavailability_users', 'n'], ['limited_availability_minutes', 'n'],
    ['limited_availability_users', 'n'], ['weekly_unavailability_minutes', 'n'], ['slow_response_minutes', 'n']]],
  ['data', [['data_compromised', 'a'], ['data_compromise_malicious', 'a'], ['data_compromised_users', 'n'], ['misconfiguration', 'a'],
    ['misconfigured_domains', 'n'], ['managed_domains', 'n'], ['physical_access_compromised', 'a']]],
];

export async function render(main, ctx) {
  const { t } = ctx;
  const entity = h('select', { id: 'entity' }, ENTITIES.map((e) => h('option', { value: e }, t(`entity.${e}`))));
  const controls = {};
  const sets = GROUPS.map(([g, facts]) => h('fieldset', h('legend', t(`sig.g.${g}`)), h('div.grid3', facts.map(([k, kind]) => {
    const c = kind === 'a'
      ? h('select', h('option', { value: '' }, t('sig.notAnswered')), ['yes', 'no', 'unknown'].map((v) => h('option', { value: v }, t(`report.v.${v}`))))
      : h('input', { type: 'number', min: 0, step: k.endsWith('_eur') ? '0.01' : '1' });
    controls[k] = c;
    return field(t(`sig.f.${k}`), c);
  }))));
  const out = h('div', { 'aria-live': 'polite', id: 'verdict' });
  let timer = null;
  const facts = () => {
    const f = {};
    for (const [k, c] of Object.entries(controls)) {
      if (c.value === '') continue;
      const v = c.tagName === 'SELECT' ? c.value : Number(c.value);
      if (k.includes('.')) {
        const [a, b] = k.split('.');
        f[a] = { ...(f[a] || {}), [b]: v };
      } else f[k] = v;
    }
    return f;
  };
  const check = async () => {
    try {
      const r = await api('POST', `/api/v1/incidents/significance${q({ entity_type: entity.value })}`, facts());
      out.replaceChildren();
      put(out,
        h(`p.verdict.verdict-${r.verdict}`, t(`sig.v.${r.verdict}`)),
        r.scheduled_maintenance ? h('p.hint', t('sig.maintenance')) : null,
        table(t('sig.caption'), [t('sig.col.result'), t('sig.col.criterion'), t('sig.col.article'), t('sig.col.facts')],
          r.reasons.map((x) => [h(`span.res.res-${x.result}`, t(`sig.r.${x.result}`)), [x.criterion, x.advisory ? h('span.hint', ` ${t('sig.advisory')}`) : null], x.article, x.facts])));
    } catch (e) {
      out.replaceChildren(h('p.error', { role: 'alert' }, explain(e)));
    }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(check, 250); };
  main.addEventListener('input', later);
  main.addEventListener('change', later);
  put(main, h('p.crumbs', h('a', { href: '#/incidents' }, t('nav.incidents'))), h('h1', t('sig.title')), h('p.lead', t('sig.intro')),
    h('form.stack', { novalidate: true, id: 'significance-form', on: { submit: (e) => { e.preventDefault(); check(); } } },
      field(t('incidents.f.entity'), entity, t('sig.entityHint')), sets), h('h2', t('sig.result')), out);
  await check();
}
