// account.js - who is signed in, until when, and signing out.
import { h, fmtTime } from '../dom.js';

export async function render(main, ctx) {
  const { t } = ctx;
  const u = ctx.user;
  main.append(h('h1', t('account.title')),
    h('dl.meta',
      h('dt', t('admin.email')), h('dd', u.email),
      h('dt', t('admin.org')), h('dd', u.org),
      h('dt', t('admin.role')), h('dd', t(`role.${u.role}`)),
      h('dt', t('account.expires')), h('dd', ctx.expires ? fmtTime(ctx.expires, ctx.lang()) : '–')),
    h('p.hint', t('account.hint')));
}
