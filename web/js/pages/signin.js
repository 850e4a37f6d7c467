// signin.js - sign-in (password, with a second factor when the account has
// one, or an API key) and the first-login page that a one-time link opens.
import { h, field, put } from '../dom.js';
import { api, explain, ApiError } from '../api.js';

function after(ctx) {
  const to = sessionStorage.getItem('wb_after');
  sessionStorage.removeItem('wb_after');
  ctx.go(to && !to.startsWith('#/signin') && !to.startsWith('#/first-login') ? to : '#/events');
}

export async function signin(main, ctx) {
  const { t } = ctx;
  if (ctx.user) return after(ctx);
  const msg = h('p.error', { role: 'alert', id: 'signin-error' });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const pass = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const totp = h('input', { type: 'text', name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}|[A-Za-z0-9-]{8,}' });
  const totpField = field(t('signin.totp'), totp, t('signin.totpHint'));
  totpField.hidden = true;
  const key = h('input', { type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false' });

  async function submit(body, form) {
    msg.textContent = '';
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const s = await api('POST', '/api/v1/session', body);
      ctx.signedIn(s);
      if (s.totp_setup_required) ctx.go('#/account?setup=1');
      else after(ctx);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'totp_required') {
        totpField.hidden = false;
        totp.required = true;
        totp.focus();
        msg.textContent = t('signin.totpNeeded');
      } else if (e instanceof ApiError && e.status === 401) {
        msg.textContent = t('signin.failed');
      } else if (e instanceof ApiError && e.status === 429) {
        msg.textContent = t('signin.throttled');
      } else {
        msg.textContent = explain(e);
      }
    } finally {
      btn.disabled = false;
    }
  }

  const pwForm = h('form.card', {
    novalidate: true,
    id: 'signin-form', 'aria-labelledby': 'signin-pw-h',
    on: {
      submit: (ev) => {
        ev.preventDefault();
        const body = { email: email.value.trim(), password: pass.value };
        if (!totpField.hidden && totp.value) body.totp = totp.value.trim();
        submit(body, pwForm);
      },
    },
  },
  h('h2', { id: 'signin-pw-h' }, t('signin.withPassword')),
  field(t('signin.email'), email),
  field(t('signin.password'), pass),
  totpField,
  h('button', { type: 'submit' }, t('signin.submit')));

  const keyForm = h('form.card', {
    novalidate: true,
    id: 'signin-key-form', 'aria-labelledby': 'signin-key-h',
    on: { submit: (ev) => { ev.preventDefault(); submit({ key: key.value.trim() }, keyForm); } },
  },
  h('h2', { id: 'signin-key-h' }, t('signin.withKey')),
  field(t('signin.key'), key, t('signin.keyHint')),
  h('button.secondary', { type: 'submit' }, t('signin.submitKey')));

  put(main, 
    h('h1', t('signin.title')),
    h('p.lead', t('signin.intro')),
    msg,
    h('div.grid2', pwForm, keyForm),
    h('p.hint', t('signin.forgot')),
  );
  email.focus();
}

// The one-time link an administrator's `admin user password` printed:
// choose a password, then sign in with it.
export async function firstLogin(main, ctx, params) {
  const { t } = ctx;
  const token = params.query.token || '';
  const msg = h('p.error', { role: 'alert' });
  const p1 = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 12 });
  const p2 = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const f1 = field(t('first.password'), p1, t('first.passwordHint'));
  const f2 = field(t('first.repeat'), p2);
  const check = () => {
    f1.setError(p1.value && p1.value.length < 12 ? t('first.tooShort') : '');
    f2.setError(p2.value && p2.value !== p1.value ? t('first.mismatch') : '');
  };
  p1.addEventListener('input', check);
  p2.addEventListener('input', check);
  const form = h('form.card', {
    novalidate: true,
    on: {
      submit: async (ev) => {
        ev.preventDefault();
        check();
        if (p1.value.length < 12 || p1.value !== p2.value) return;
        try {
          const s = await api('POST', '/api/v1/session/first-login', { token, password: p1.value });
          if (s && s.user) {
            ctx.signedIn(s);
            ctx.go(s.totp_setup_required ? '#/account?setup=1' : '#/events');
          } else {
            ctx.go('#/signin');
          }
        } catch (e) {
          if (e instanceof ApiError && e.status === 401) msg.textContent = t('first.badToken');
          else if (e instanceof ApiError && e.status === 400 && e.message) msg.textContent = e.message;
          else msg.textContent = explain(e);
        }
      },
    },
  }, f1, f2, h('button', { type: 'submit' }, t('first.submit')));
  put(main, h('h1', t('first.title')), h('p.lead', t('first.intro')), msg,
    token ? form : h('p.error', t('first.badToken')));
}
