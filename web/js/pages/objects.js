// objects.js - MISP objects in the event form: the templates the page
// offers (file, domain-ip, url, ip-port, as MISP's object templates define
// them: name, uuid, version, meta-category, and each attribute's relation
// and type) and a fieldset per new object. The hub stores an object as
// posted inside its event (name and at least one attribute; each
// attribute's value checked for its type, 422 naming its JSON path), so
// the template's rule "at least one of these" is checked here, as the
// user types.
import { h, field, nextId } from '../dom.js';

// rel: the object_relation; type: the MISP attribute type; ids: to_ids
// by default (indicators yes, ports, sizes and words no).
export const TEMPLATES = {
  file: {
    uuid: '688c46fb-5edb-40a3-8273-1af7923e2215', version: 25, meta: 'file',
    attrs: [
      { rel: 'filename', type: 'filename', ids: false },
      { rel: 'sha256', type: 'sha256', ids: true },
      { rel: 'sha1', type: 'sha1', ids: true },
      { rel: 'md5', type: 'md5', ids: true },
      { rel: 'size-in-bytes', type: 'size-in-bytes', ids: false },
    ],
    oneOf: ['filename', 'sha256', 'sha1', 'md5', 'size-in-bytes'],
  },
  'domain-ip': {
    uuid: '43b3b146-77eb-4931-b4cc-b66c60f28734', version: 10, meta: 'network',
    attrs: [
      { rel: 'domain', type: 'domain', ids: true },
      { rel: 'hostname', type: 'hostname', ids: true },
      { rel: 'ip', type: 'ip-dst', ids: true },
      { rel: 'port', type: 'port', ids: false },
    ],
    oneOf: ['domain', 'hostname', 'ip'],
  },
  url: {
    uuid: '60efb77b-40b5-4c46-871b-ed1ed999fce5', version: 9, meta: 'network',
    attrs: [
      { rel: 'url', type: 'url', ids: true },
      { rel: 'domain', type: 'domain', ids: false },
      { rel: 'host', type: 'hostname', ids: false },
      { rel: 'port', type: 'port', ids: false },
    ],
    oneOf: ['url'],
  },
  'ip-port': {
    uuid: '9f8cea74-16fe-4968-a2b4-026676949ac6', version: 10, meta: 'network',
    attrs: [
      { rel: 'ip', type: 'ip-dst', ids: true },
      { rel: 'dst-port', type: 'port', ids: false },
      { rel: 'src-port', type: 'port', ids: false },
      { rel: 'domain', type: 'domain', ids: true },
      { rel: 'hostname', type: 'hostname', ids: true },
    ],
    oneOf: ['ip', 'dst-port', 'src-port', 'domain', 'hostname'],
  },
};

const PORT = new Set(['port', 'dst-port', 'src-port']);

// What is wrong with one value, in words ('' when nothing is); the hub
// checks the values of the types it matches on again.
function check(t, a, v) {
  if (!v) return '';
  if (PORT.has(a.rel) && !(/^\d{1,5}$/.test(v) && Number(v) <= 65535)) return t('object.badPort');
  if (a.rel === 'size-in-bytes' && !/^\d+$/.test(v)) return t('report.badNumber');
  const hex = { md5: 32, sha1: 40, sha256: 64 }[a.type];
  if (hex && !new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(v)) return t('object.badHash', { n: hex });
  return '';
}

// A fieldset for a new object of template `name`: el, read() (the MISP
// object, or null when empty), and validate() (false with the fields
// marked and the first one focused).
export function objectEditor(ctx, name, onRemove) {
  const { t } = ctx;
  const tpl = TEMPLATES[name];
  const fields = [];
  const comment = h('input', { type: 'text' });
  const errId = nextId('objerr');
  const err = h('p.error', { id: errId, 'aria-live': 'polite' });
  const fs = h('fieldset.object-row', { 'aria-describedby': errId, 'data-template': name },
    h('legend', t('object.legend', { name })),
    h('p.hint', t(`object.t.${name}`)));
  const grid = h('div.grid2');
  for (const a of tpl.attrs) {
    const c = h('input', {
      type: 'text', spellcheck: 'false', inputmode: PORT.has(a.rel) || a.rel === 'size-in-bytes' ? 'numeric' : null,
      'data-rel': a.rel,
    });
    const f = field(a.type === a.rel ? a.rel : [a.rel, ' ', h('span.hint', `(${a.type})`)], c, t(`object.f.${a.rel}`));
    c.addEventListener('input', () => { f.setError(check(t, a, c.value.trim())); err.textContent = ''; });
    fields.push({ a, c, f });
    grid.append(f);
  }
  fs.append(grid, field(t('attr.comment'), comment), err,
    h('button.small.secondary', { type: 'button', 'aria-label': t('object.remove', { name }), on: { click: () => { fs.remove(); if (onRemove) onRemove(); } } }, t('edit.remove')));
  const filled = () => fields.filter((x) => x.c.value.trim());
  fs.validate = () => {
    let first = null;
    for (const x of fields) {
      const why = check(t, x.a, x.c.value.trim());
      x.f.setError(why);
      if (why && !first) first = x.c;
    }
    if (!filled().some((x) => tpl.oneOf.includes(x.a.rel))) {
      err.textContent = t('object.oneOf', { list: tpl.oneOf.join(', ') });
      if (!first) first = fields.find((x) => tpl.oneOf.includes(x.a.rel)).c;
    }
    if (first) first.focus();
    return !first;
  };
  fs.read = () => {
    const attrs = filled().map((x) => ({
      type: x.a.type, object_relation: x.a.rel, value: x.c.value.trim(), to_ids: x.a.ids,
    }));
    if (!attrs.length) return null;
    const o = { name, 'meta-category': tpl.meta, template_uuid: tpl.uuid, template_version: String(tpl.version), Attribute: attrs };
    if (comment.value.trim()) o.comment = comment.value.trim();
    return o;
  };
  return fs;
}
