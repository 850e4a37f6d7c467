// tlp.js - TLP 2.0 labels and the distributions each level allows, as the
// hub enforces them (docs/hub.md, "The TLP and distribution policy").
import { h } from './dom.js';
import { t } from './i18n.js';

export const LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'];
export const DISTRIBUTIONS = [0, 1, 2, 3, 4];

// AMBER+STRICT and RED go to named recipients: the organisation (0) or a
// sharing group (4), never to a whole community.
export function allowed(level, dist) {
  if (level === 'amber+strict' || level === 'red') return dist === 0 || dist === 4;
  return DISTRIBUTIONS.includes(dist);
}

// An event's TLP: its tlp: tag, tlp:white as clear, none as amber.
export function levelOf(ev) {
  const tags = (ev.Tag || []).map((x) => (x.name || '').toLowerCase());
  for (const l of ['red', 'amber+strict', 'amber', 'green', 'clear', 'white']) {
    if (tags.includes(`tlp:${l}`)) return l === 'white' ? 'clear' : l;
  }
  return 'amber';
}

// The label as TLP 2.0 prescribes: "TLP:AMBER" in the level's colour on
// black (app.css .tlp-*), text that a screen reader reads as it is.
export function badge(level) {
  const cls = `tlp-${level.replace('+', '-')}`;
  return h(`span.tlp.${cls}`, { title: t(`tlp.${level}.meaning`) }, `TLP:${level.toUpperCase()}`);
}

export function distName(d) {
  return t(`dist.${Number(d)}`);
}
