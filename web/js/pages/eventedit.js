// eventedit.js - create or edit an event. TLP and distribution are chosen
// together: a level that names its recipients (AMBER+STRICT, RED) allows
// only "this organisation" or a sharing group, so the other choices are
// disabled and the reason is shown beside them; the hub refuses the same
// combinations (422 invalid_tlp_distribution).
import { h, field, nextId, put } from '../dom.js';
import { get, post, put as putJson, explain } from '../api.js';
import { LEVELS, DISTRIBUTIONS, allowed, levelOf, badge } from '../tlp.js';
import { TEMPLATES, objectEditor } from './objects.js';

const TYPES = ['ip-dst', 'ip-src', 'ip-dst|port', 'domain', 'hostname', 'url', 'email-src', 'email-dst',
  'md5', 'sha1', 'sha256', 'filename|sha256', 'vulnerability', 'text', 'comment'];

export async function create(main, ctx) {
  return form(main, ctx, null);
}

export async function edit(main, ctx, params) {
  const r = await get(`/api/v1/events/${encodeURIComponent(params.id)}`);
  return form(main, ctx, r.Event || r);
}

function radios(name, legend, items, hintId) {
  const fs = h('fieldset.choices', { 'aria-describedby': hintId || null }, h('legend', legend));
  for (const it of items) {
    const id = nextId(name);
    const input = h('input', { type: 'radio', name, id, value: it.value });
    it.input = input;
    fs.append(h('div.choice', input, h('label', { for: id }, it.label), it.why ? it.why : null));
  }
  return fs;
}

function form(main, ctx, ev) {
  const { t } = ctx;
  const editing = !!ev;
  const msg = h('p.error', { role: 'alert' });
  const info = h('input', { type: 'text', required: true, maxlength: 1000, value: ev ? ev.info : '' });
  const infoF = field(t('edit.info'), info, t('edit.infoHint'));
  const date = h('input', { type: 'date', value: ev ? ev.date : new Date().toISOString().slice(0, 10) });
  const threat = h('select', [1, 2, 3, 4].map((n) => h('option', { value: n, selected: String(ev ? ev.threat_level_id : 4) === String(n) }, t(`threat.${n}`))));
  const analysis = h('select', [0, 1, 2].map((n) => h('option', { value: n, selected: String(ev ? ev.analysis : 0) === String(n) }, t(`analysis.${n}`))));

  const tlpItems = LEVELS.map((l) => ({ value: l, label: [badge(l), ' ', h('span.choice-text', t(`tlp.${l}.meaning`))] }));
  const tlpSet = radios('tlp', t('edit.tlp'), tlpItems);
  const whyId = nextId('why');
  const why = h('p.hint', { id: whyId, 'aria-live': 'polite' });
  const distItems = DISTRIBUTIONS.map((d) => ({ value: String(d), label: [h('strong', t(`dist.${d}`)), ' ', h('span.choice-text', t(`dist.${d}.meaning`))] }));
  const distSet = radios('distribution', t('edit.distribution'), distItems, whyId);
  const sg = h('input', { type: 'text', spellcheck: 'false', value: (ev && ev.SharingGroup && (ev.SharingGroup.uuid || ev.SharingGroup.name)) || '' });
  const sgF = field(t('edit.sharingGroup'), sg, t('edit.sharingGroupHint'));

  const cur = () => ({
    level: (tlpItems.find((i) => i.input.checked) || {}).value,
    dist: Number((distItems.find((i) => i.input.checked) || {}).value),
  });
  const sync = () => {
    const { level, dist } = cur();
    for (const it of distItems) {
      const ok = !level || allowed(level, Number(it.value));
      it.input.disabled = !ok;
      it.input.closest('.choice').classList.toggle('disabled', !ok);
    }
    if (level && !allowed(level, dist)) {
      distItems[0].input.checked = true;
      ctx.announce(t('edit.distChanged'));
    }
    why.textContent = level && (level === 'amber+strict' || level === 'red') ? t('edit.whyLimited', { tlp: `TLP:${level.toUpperCase()}` }) : '';
    const d = cur().dist;
    sgF.hidden = d !== 4;
    sg.required = d === 4;
    why.append(d === 3 && level === 'clear' ? t('edit.publicNote') : '');
  };
  tlpSet.addEventListener('change', sync);
  distSet.addEventListener('change', sync);
  const startLevel = ev ? levelOf(ev) : 'amber';
  tlpItems.find((i) => i.value === startLevel).input.checked = true;
  distItems.find((i) => i.value === String(ev ? Number(ev.distribution || 0) : 1)).input.checked = true;
  sync();

  // Attributes: one row each; rows removed here are removed by the PUT.
  const rowsBox = h('div.attr-rows');
  const addRow = (a = {}) => {
    const type = h('select', TYPES.concat(TYPES.includes(a.type) || !a.type ? [] : [a.type]).map((x) => h('option', { value: x, selected: a.type === x }, x)));
    const value = h('input', { type: 'text', spellcheck: 'false', value: a.value || '', required: true });
    const ids = h('input', { type: 'checkbox', checked: a.to_ids !== undefined ? !!a.to_ids : true });
    const comment = h('input', { type: 'text', value: a.comment || '' });
    const idsId = nextId('ids');
    ids.id = idsId;
    const row = h('fieldset.attr-row', h('legend.visually-hidden', t('edit.attribute')),
      field(t('attr.type'), type), field(t('attr.value'), value),
      h('div.field.check', ids, h('label', { for: idsId }, t('attr.ids'))),
      field(t('attr.comment'), comment),
      h('button.small.secondary', { type: 'button', 'aria-label': t('edit.removeAttr'), on: { click: () => row.remove() } }, t('edit.remove')));
    row.read = () => {
      const out = { ...a, type: type.value, value: value.value.trim(), to_ids: ids.checked, comment: comment.value };
      if (!out.comment) delete out.comment;
      return out;
    };
    rowsBox.append(row);
    return value;
  };
  for (const a of (ev && ev.Attribute) || []) if (!a.deleted) addRow(a);
  if (!editing) addRow();

  // New objects from a template; the event's objects are kept as they are.
  const objBox = h('div.object-rows');
  const tplSel = h('select', { id: 'object-template' }, Object.keys(TEMPLATES).map((n) => h('option', { value: n }, n)));
  const addObject = () => {
    const o = objectEditor(ctx, tplSel.value, () => tplSel.focus());
    objBox.append(o);
    o.querySelector('input').focus();
  };
  const have = ((ev && ev.Object) || []).filter((o) => !o.deleted);

  const f = h('form.stack', {
    novalidate: true,
    id: 'event-form',
    on: {
      submit: async (e) => {
        e.preventDefault();
        msg.textContent = '';
        infoF.setError(info.value.trim() ? '' : t('edit.infoRequired'));
        if (!info.value.trim()) { info.focus(); return; }
        const newObjects = [...objBox.children];
        if (!newObjects.every((o) => o.validate())) return;
        const { level, dist } = cur();
        const body = {
          ...(ev || {}),
          info: info.value.trim(), date: date.value, threat_level_id: threat.value, analysis: analysis.value,
          distribution: String(dist),
          Tag: ((ev && ev.Tag) || []).filter((x) => !/^tlp:/i.test(x.name || '')).concat([{ name: `tlp:${level}` }]),
          Attribute: [...rowsBox.children].map((r) => r.read()).filter((a) => a.value),
        };
        const added = newObjects.map((o) => o.read()).filter(Boolean);
        if (added.length) body.Object = ((ev && ev.Object) || []).concat(added);
        delete body.SharingGroup;
        delete body.sharing_group_id;
        if (dist === 4) {
          if (!sg.value.trim()) { sgF.setError(t('edit.sgRequired')); sg.focus(); return; }
          body.SharingGroup = /^[0-9a-f-]{36}$/i.test(sg.value.trim()) ? { uuid: sg.value.trim() } : { name: sg.value.trim() };
        }
        try {
          const r = editing
            ? await putJson(`/api/v1/events/${encodeURIComponent(ev.uuid)}`, { Event: body })
            : await post('/api/v1/events', { Event: body });
          const saved = r.Event || r;
          ctx.announce(t('edit.saved'));
          ctx.go(`#/events/${encodeURIComponent(saved.uuid || ev.uuid)}`);
        } catch (err) {
          msg.textContent = explain(err);
          msg.focus();
        }
      },
    },
  },
  msg,
  infoF,
  h('div.grid3', field(t('edit.date'), date), field(t('event.threat'), threat), field(t('event.analysis'), analysis)),
  h('div.grid2', tlpSet, h('div', distSet, why, sgF)),
  h('h2', t('edit.attributes')),
  rowsBox,
  h('button.secondary', { type: 'button', id: 'add-attr', on: { click: () => addRow().focus() } }, t('edit.addAttr')),
  h('h2', t('edit.objects')),
  have.length ? h('p.hint', t('edit.objectsKept', { n: have.length })) : null,
  objBox,
  h('div.filters.object-add', field(t('edit.objectTemplate'), tplSel, t('edit.objectHint')),
    h('div.field.actions', h('button.secondary', { type: 'button', id: 'add-object', on: { click: addObject } }, t('edit.addObject')))),
  h('div.actions', h('button', { type: 'submit', id: 'save-event' }, editing ? t('edit.save') : t('edit.create')),
    h('a.button.secondary', { href: editing ? `#/events/${encodeURIComponent(ev.uuid)}` : '#/events' }, t('common.cancel'))));
  msg.tabIndex = -1;
  put(main, h('h1', editing ? t('edit.titleEdit') : t('edit.titleNew')), f);
}
