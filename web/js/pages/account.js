// account.js - who is signed in and until when; changing the password;
// setting up a second factor (TOTP, RFC 6238) with its recovery codes.
import { h, field, fmtTime, put } from '../dom.js';
import { api, explain } from '../api.js';

export async function render(main, ctx, params) {
  const { t } = ctx;
  const u = ctx.user;
  put(main, h('h1', t('account.title')),
    params.query.setup ? h('p.notice', { role: 'alert' }, t('account.setupRequired')) : null,
    h('dl.meta',
      h('dt', t('admin.email')), h('dd', u.email),
      h('dt', t('admin.org')), h('dd', u.org),
      h('dt', t('admin.role')), h('dd', t(`role.${u.role}`)),
      h('dt', t('account.expires')), h('dd', ctx.expires ? fmtTime(ctx.expires, ctx.lang()) : '–'),
      h('dt', t('account.idle')), h('dd', ctx.idle ? t('account.idleMinutes', { n: Math.round(ctx.idle / 60) }) : '–')),
    h('p.hint', t('account.hint')));

  // Password.
  const pmsg = h('p.error', { role: 'alert' });
  const old = h('input', { type: 'password', autocomplete: 'current-password' });
  const p1 = h('input', { type: 'password', autocomplete: 'new-password', minlength: 12 });
  const f1 = field(t('account.new'), p1, t('first.passwordHint'));
  p1.addEventListener('input', () => f1.setError(p1.value && p1.value.length < 12 ? t('first.tooShort') : ''));
  put(main, h('form.card.stack', {
    id: 'password-form', novalidate: true,
    on: {
      submit: async (e) => {
        e.preventDefault();
        pmsg.textContent = '';
        if (p1.value.length < 12) { f1.setError(t('first.tooShort')); p1.focus(); return; }
        try {
          await api('POST', '/api/v1/session/password', { old: old.value, new: p1.value });
          old.value = '';
          p1.value = '';
          ctx.announce(t('account.changed'));
          pmsg.textContent = t('account.changed');
        } catch (err) {
          pmsg.textContent = err.status === 400 && err.message ? err.message : explain(err);
        }
      },
    },
  }, h('h2', t('account.password')), pmsg, field(t('account.old'), old), f1, h('button', { type: 'submit' }, t('account.change'))));

  // Second factor.
  const box = h('div.card.stack', h('h2', t('account.totp')), h('p.hint', t('account.totpHint')));
  const tmsg = h('p.error', { role: 'alert' });
  box.append(tmsg, h('button.secondary', {
    type: 'button', id: 'totp-setup',
    on: {
      click: async (e) => {
        tmsg.textContent = '';
        let s;
        try {
          s = await api('POST', '/api/v1/session/totp/setup', {});
        } catch (err) {
          tmsg.textContent = err.status === 409 ? t('account.totpOn') : explain(err);
          return;
        }
        e.target.hidden = true;
        const code = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}' });
        box.append(
          h('p', t('account.totpSecret')), h('p.mono.value', s.secret),
          h('p.hint', h('span', t('account.totpUri')), ' ', h('span.mono.value', s.otpauth_uri)),
          h('p', t('account.recovery')), h('ul.mono', (s.recovery_codes || []).map((c) => h('li', c))),
          h('form.stack', {
            novalidate: true,
            on: {
              submit: async (ev) => {
                ev.preventDefault();
                try {
                  await api('POST', '/api/v1/session/totp/confirm', { code: code.value.trim() });
                  tmsg.textContent = t('account.totpDone');
                } catch (err) {
                  tmsg.textContent = err.status === 400 ? t('account.totpWrong') : explain(err);
                }
              },
            },
          }, field(t('account.totpCode'), code), h('button', { type: 'submit' }, t('account.totpConfirm'))));
      },
    },
  }, t('account.totpStart')));
  put(main, box);
}
