// assessment.js - answering a catalogue (level, evidence, owner, due date
// per requirement, one section at a time), the score and the gaps, two
// versions compared, the board report (PDF to download, HTML to view) and
// sharing with the CSIRT or the supervisor.
import { h, field, fmtTime } from '../dom.js';
import { get, post, q, explain } from '../api.js';
import { table, empty, barChart } from './common.js';

const fmt = (x) => (x === null || x === undefined ? '–' : Number(x).toFixed(2));

async function load(ctx, id, version) {
  const a = await get(`/api/v1/assessments/${encodeURIComponent(id)}${q({ version })}`);
  const [cat, score] = await Promise.all([
    get(`/api/v1/catalogues/${encodeURIComponent(a.catalogue)}${q({ lang: ctx.lang() })}`),
    get(`/api/v1/assessments/${encodeURIComponent(id)}/score${q({ version, lang: ctx.lang() })}`),
  ]);
  return { a, cat, score };
}

export async function render(main, ctx, params) {
  const { t } = ctx;
  const id = params.id;
  const { a, cat, score } = await load(ctx, id, params.query.version);
  const own = a.organisation === ctx.user.org;
  const msg = h('p.notice', { role: 'status' });
  const titleOf = new Map(cat.nodes.map((n) => [n.ref, n.title || n.description || n.ref]));
  const rep = (format) => `/api/v1/assessments/${encodeURIComponent(id)}/report${q({ format, lang: ctx.lang(), version: params.query.version })}`;

  main.append(
    h('p.crumbs', h('a', { href: '#/assessments' }, t('nav.assessments'))),
    h('h1', cat.title || a.catalogue),
    h('dl.meta',
      h('dt', t('assess.col.org')), h('dd', a.organisation),
      h('dt', t('assess.col.scope')), h('dd', a.scope || '–'),
      h('dt', t('assess.target')), h('dd', String(a.target)),
      h('dt', t('assess.col.version')), h('dd', a.version ? t('assess.versionOf', { v: a.version, n: a.newest_version, when: fmtTime(a.version_time, ctx.lang()) }) : t('assess.noAnswers'))),
    msg,
    h('div.actions',
      a.version ? h('a.button', { href: rep('pdf'), download: `assessment-${id}.pdf`, id: 'board-pdf' }, t('assess.pdf')) : null,
      a.version ? h('a.button.secondary', { href: rep('html'), target: '_blank', rel: 'noopener' }, t('assess.html')) : null,
      a.newest_version > 1 ? h('a.button.secondary', { href: `#/assessments/${id}/compare` }, t('assess.compare')) : null),
  );
  if (own) main.append(shareBox(ctx, a, msg));

  // Score and gaps.
  main.append(h('h2', t('assess.score')),
    h('p.score', t('assess.overall', { score: fmt(score.overall.score), coverage: Math.round((score.overall.coverage || 0) * 100), target: score.target })));
  if (score.principles && score.principles.length) {
    main.append(barChart(t('assess.principles'), score.principles.map((p) => ({ label: p.title || p.ref, value: Number(fmt(p.score)) || 0 })),
      { labelCol: t('assess.principle'), valueCol: t('assess.scoreCol') }));
  }
  const gaps = score.gaps || [];
  main.append(h('h2', t('assess.gaps', { n: gaps.length })), gaps.length
    ? table(t('assess.gapsCaption'), [t('assess.ref'), t('assess.requirement'), t('assess.level'), t('assess.shortfall'), t('assess.owner'), t('assess.due')],
      gaps.slice(0, 10).map((g) => [g.ref, titleOf.get(g.ref) || '', g.level === null ? t('assess.unanswered') : String(g.level), String(g.shortfall), g.owner || '', g.due || '']))
    : empty(t('assess.noGaps')));
  if (gaps.length > 10) main.append(h('p.hint', t('assess.moreGaps', { n: gaps.length - 10 })));

  // Answering, one top-level section at a time.
  if (own) main.append(answerBox(ctx, a, cat, id));
}

function shareBox(ctx, a, msg) {
  const { t } = ctx;
  const box = h('fieldset.share', h('legend', t('assess.share')), h('p.hint', t('assess.shareHint')));
  for (const w of ['csirt', 'supervisor']) {
    const cb = h('input', { type: 'checkbox', id: `share-${w}`, checked: !!a.shared_with[w] });
    cb.addEventListener('change', async () => {
      try {
        await post(`/api/v1/assessments/${a.id}/share`, { with: w, shared: cb.checked });
        ctx.announce(cb.checked ? t('assess.sharedWith', { who: t(`assess.${w}`) }) : t('assess.unshared', { who: t(`assess.${w}`) }));
      } catch (e) {
        cb.checked = !cb.checked;
        msg.textContent = explain(e);
      }
    });
    box.append(h('div.field.check', cb, h('label', { for: `share-${w}` }, t(`assess.shareWith.${w}`))));
  }
  return box;
}

function answerBox(ctx, a, cat, id) {
  const { t } = ctx;
  const answers = new Map((a.answers || []).map((x) => [x.ref, x]));
  const roots = cat.nodes.filter((n) => !n.parent);
  const under = (root) => {
    const keep = new Set([root.ref]);
    return cat.nodes.filter((n) => {
      if (n.parent && keep.has(n.parent)) { keep.add(n.ref); return n.assessable; }
      return n === root && n.assessable;
    });
  };
  const sel = h('select', { id: 'section' }, roots.map((r, i) => h('option', { value: i }, `${r.ref} ${r.title || ''}`.trim())));
  const list = h('div.answers');
  const draw = () => {
    const root = roots[Number(sel.value)];
    const reqs = under(root);
    list.replaceChildren(...(reqs.length ? reqs.map((n) => answerRow(ctx, cat, n, answers.get(n.ref), id, answers)) : [empty(t('assess.nothingHere'))]));
  };
  sel.addEventListener('change', draw);
  draw();
  return h('section', { 'aria-labelledby': 'answer-h' }, h('h2', { id: 'answer-h' }, t('assess.answer')),
    h('p.hint', t('assess.answerHint')), field(t('assess.section'), sel), list);
}

function answerRow(ctx, cat, n, cur, id, answers) {
  const { t } = ctx;
  const c = cur || {};
  const level = h('select', h('option', { value: '' }, t('assess.unanswered')),
    (cat.levels || []).map((l) => h('option', { value: l.level, selected: c.level !== undefined && String(c.level) === String(l.level) }, `${l.level} – ${l.meaning}`)),
    h('option', { value: 'n/a', selected: c.level === 'n/a' || c.not_applicable }, t('assess.na')));
  const evidence = h('textarea', { rows: 2 });
  evidence.value = c.evidence || '';
  const owner = h('input', { type: 'text', value: c.owner || '' });
  const due = h('input', { type: 'date', value: c.due || '' });
  const status = h('span.saved', { role: 'status' });
  const f = h('form.answer', {
    'data-ref': n.ref,
    on: {
      submit: async (e) => {
        e.preventDefault();
        if (!level.value) { status.textContent = t('assess.pickLevel'); level.focus(); return; }
        const body = { ref: n.ref, level: level.value === 'n/a' ? 'n/a' : Number(level.value) };
        if (evidence.value.trim()) body.evidence = evidence.value.trim();
        if (owner.value.trim()) body.owner = owner.value.trim();
        if (due.value) body.due = due.value;
        try {
          const r = await post(`/api/v1/assessments/${id}/answers`, body);
          answers.set(n.ref, body);
          status.textContent = t('assess.savedAs', { v: r.version });
        } catch (err) {
          status.textContent = explain(err);
        }
      },
    },
  },
  h('h3', h('span.ref', n.ref), ' ', n.title || ''),
  n.description && n.description !== n.title ? h('p.req-text', n.description) : null,
  h('div.grid4', field(t('assess.level'), level), field(t('assess.evidence'), evidence), field(t('assess.owner'), owner), field(t('assess.due'), due)),
  h('div.actions', h('button.small', { type: 'submit' }, t('assess.save')), status));
  return f;
}

export async function compare(main, ctx, params) {
  const { t } = ctx;
  const id = params.id;
  const hist = await get(`/api/v1/assessments/${encodeURIComponent(id)}/versions`);
  const versions = (hist.response || hist).map((v) => v.version).filter((v) => v > 0);
  const newest = Math.max(...versions, 0);
  const va = Number(params.query.a || Math.max(1, newest - 1));
  const vb = Number(params.query.b || newest);
  const selA = h('select', versions.map((v) => h('option', { value: v, selected: v === va }, String(v))));
  const selB = h('select', versions.map((v) => h('option', { value: v, selected: v === vb }, String(v))));
  main.append(h('p.crumbs', h('a', { href: `#/assessments/${id}` }, t('assess.back'))), h('h1', t('compare.title')),
    h('form.filters', { on: { submit: (e) => { e.preventDefault(); ctx.go(`#/assessments/${id}/compare${q({ a: selA.value, b: selB.value })}`); } } },
      field(t('compare.from'), selA), field(t('compare.to'), selB), h('div.field.actions', h('button', { type: 'submit' }, t('compare.show')))));
  if (!newest) { main.append(empty(t('assess.noAnswers'))); return; }
  const [A, B] = await Promise.all([get(`/api/v1/assessments/${id}?version=${va}`), get(`/api/v1/assessments/${id}?version=${vb}`)]);
  const cat = await get(`/api/v1/catalogues/${encodeURIComponent(A.catalogue)}${q({ lang: ctx.lang() })}`);
  const [sa, sb] = await Promise.all([get(`/api/v1/assessments/${id}/score?version=${va}`), get(`/api/v1/assessments/${id}/score?version=${vb}`)]);
  const la = new Map((A.answers || []).map((x) => [x.ref, x.level]));
  const lb = new Map((B.answers || []).map((x) => [x.ref, x.level]));
  const refs = cat.nodes.filter((n) => n.assessable && (la.get(n.ref) !== lb.get(n.ref)));
  const show = (v) => (v === undefined || v === null ? '–' : String(v));
  main.append(h('p.score', t('compare.overall', { a: fmt(sa.overall.score), b: fmt(sb.overall.score), va, vb })),
    refs.length ? table(t('compare.caption', { n: refs.length }), [t('assess.ref'), t('assess.requirement'), t('compare.levelIn', { v: va }), t('compare.levelIn', { v: vb }), t('compare.change')],
      refs.map((n) => {
        const x = la.get(n.ref);
        const y = lb.get(n.ref);
        const up = typeof x === 'number' && typeof y === 'number' ? (y > x ? t('compare.better') : t('compare.worse')) : t('compare.changed');
        return [n.ref, n.title || '', show(x), show(y), up];
      })) : empty(t('compare.same')));
}
