// clock.js - a deadline as a clock: green while more than a quarter of the
// time is left, amber under 25 %, red once overdue; met and late once
// submitted. The text says it in words (colour is never the only sign)
// and it ticks every 30 seconds while it is on the page.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function span(ms) {
  const m = Math.max(0, Math.round(Math.abs(ms) / 60000));
  const d = Math.floor(m / 1440);
  const hh = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  if (d) return t('clock.dh', { d, h: hh });
  if (hh) return t('clock.hm', { h: hh, m: mm });
  return t('clock.m', { m: mm });
}

export function state(dl, start, now) {
  if (dl.submitted) return dl.state === 'late' ? 'late' : 'met';
  if (!dl.due) return 'none';
  const due = Date.parse(dl.due);
  if (now > due) return 'overdue';
  const total = due - start;
  return total > 0 && (due - now) / total < 0.25 ? 'amber' : 'green';
}

// dl: a deadline of the incident ({stage, due, state, submitted}); start:
// when its time began (ms).
export function clock(dl, start) {
  const el = h('span.clock');
  const draw = () => {
    const now = Date.now();
    const st = state(dl, start, now);
    el.className = `clock clock-${st}`;
    const due = dl.due ? Date.parse(dl.due) : 0;
    let text;
    if (st === 'met') text = t('clock.met');
    else if (st === 'late') text = t('clock.late');
    else if (st === 'none') text = t('clock.noDue');
    else if (st === 'overdue') text = t('clock.overdue', { span: span(now - due) });
    else text = t('clock.left', { span: span(due - now) });
    el.textContent = text;
    el.setAttribute('data-state', st);
  };
  draw();
  const timer = setInterval(() => (el.isConnected || !el.dataset.placed ? draw() : clearInterval(timer)), 30000);
  queueMicrotask(() => { el.dataset.placed = '1'; });
  return el;
}

// When a stage's time began: the CSIRT's answer runs 24 h from the first
// early warning; the others from the moment the organisation became aware.
export function startOf(inc, dl) {
  if (dl.stage === 'csirt-answer' && dl.due) return Date.parse(dl.due) - 24 * 3600e3;
  if (dl.stage === 'final' || dl.stage === 'progress') {
    const n = (inc.deadlines || []).find((d) => d.stage === 'notification');
    if (n && n.submitted) return Date.parse(n.submitted);
  }
  return Date.parse(inc.aware_at);
}
