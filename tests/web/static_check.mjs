// static_check.mjs - checks of web/ that need no browser: both language
// catalogues hold the same keys, every t('key') the code names is in them
// (keys built at run time, t(`stage.${s}`), are checked in the browser by
// e2e.mjs), no text is empty where a page shows it, and the HTML has no
// inline script, style attribute or event handler (the hub's CSP refuses
// them). Prints ok/FAIL lines; exit 1 on any failure.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const web = new URL('../../web/', import.meta.url).pathname;
let failed = 0;
const check = (name, cond, why) => {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${name}${cond || !why ? '' : `: ${why}`}`);
  if (!cond) failed += 1;
};
const en = JSON.parse(readFileSync(join(web, 'i18n/en.json'), 'utf8'));
const nl = JSON.parse(readFileSync(join(web, 'i18n/nl.json'), 'utf8'));
const onlyEn = Object.keys(en).filter((k) => !(k in nl));
const onlyNl = Object.keys(nl).filter((k) => !(k in en));
check('nl.json and en.json hold the same keys', !onlyEn.length && !onlyNl.length, `${onlyEn} | ${onlyNl}`);
const sources = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) walk(join(d, e.name));
    else if (e.name.endsWith('.js')) sources.push(join(d, e.name));
  }
};
walk(join(web, 'js'));
const used = new Set();
for (const f of sources) for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([A-Za-z0-9_.+-]+)'/g)) used.add(m[1]);
const missing = [...used].filter((k) => !(k in en));
check(`every key the code names is in the catalogues (${used.size} keys)`, !missing.length, missing.join(', '));
const blankNl = Object.keys(nl).filter((k) => nl[k] === '' && en[k] !== '');
check('no Dutch text is empty where the English is not', !blankNl.length, blankNl.join(', '));
for (const f of readdirSync(web).filter((x) => x.endsWith('.html'))) {
  const html = readFileSync(join(web, f), 'utf8');
  check(`${f}: no inline script`, !/<script(?![^>]*\bsrc=)[^>]*>/i.test(html));
  check(`${f}: no style attribute or element`, !/\sstyle=|<style/i.test(html));
  check(`${f}: no inline event handler`, !/\son[a-z]+=/i.test(html));
}
for (const f of sources) {
  const js = readFileSync(f, 'utf8');
  if (/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/.test(js)) check(`${f}: no HTML strings or eval`, false);
}
process.exit(failed ? 1 : 0);
