// i18n.js - every string the page shows comes from i18n/<lang>.json; none
// is written in code. The language is the user's choice (kept in
// localStorage), else the browser's first language we have, else English.
export const LANGS = ['nl', 'en'];
let cat = {};
let current = 'en';

export function pickLang() {
  const saved = localStorage.getItem('wb_lang');
  if (LANGS.includes(saved)) return saved;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

export async function loadLang(lang) {
  const r = await fetch(`i18n/${lang}.json`, { credentials: 'same-origin' });
  if (!r.ok) throw new Error(`i18n/${lang}.json: ${r.status}`);
  cat = await r.json();
  current = lang;
  document.documentElement.lang = lang;
}

export function lang() {
  return current;
}

// t('events.title', {n: 3}): the catalogue's text with {n} replaced. A key
// the catalogue lacks shows as the key itself (the tests fail on any).
export function t(key, vars) {
  let s = Object.prototype.hasOwnProperty.call(cat, key) ? cat[key] : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}
