// api.js - the page's only way to the hub: its HTTP API under /api/v1, with
// the session cookie (HttpOnly, so script never sees it) and the CSRF token
// on every request that changes something. Errors become ApiError, which
// explain() turns into words a security officer understands. Every error
// of /api/v1, the sign-in endpoints' too, is {"error": {"code", "message"}}
// (docs/hub.md, "Errors"); the page acts on the code, never on the words.
import { t } from './i18n.js';

let csrf = '';
export function setCsrf(token) {
  csrf = token || '';
}

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || code || String(status));
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = opts.rawBody ? 'application/octet-stream' : 'application/json';
  let r;
  try {
    r = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : opts.rawBody ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', String(e));
  }
  if (opts.raw && r.ok) return r;
  const text = await r.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!r.ok) {
    const e = data && data.error && typeof data.error === 'object' ? data.error : {};
    throw new ApiError(r.status, typeof e.code === 'string' ? e.code : null, typeof e.message === 'string' ? e.message : '', data);
  }
  return data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b === undefined ? {} : b);
export const put = (p, b) => api('PUT', p, b);
export const del = (p) => api('DELETE', p);

// What went wrong and what to do, in the user's language. The hub's own
// message is added where it names the field at fault (422, 400, 409).
export function explain(err) {
  if (!(err instanceof ApiError)) return t('error.unexpected');
  const detail = err.message && [400, 409, 413, 422].includes(err.status) ? ` (${err.message})` : '';
  switch (err.status) {
    case 0: return t('error.network');
    case 400: return t('error.400') + detail;
    case 401: return t('error.401');
    case 403: return err.code === 'csrf_failed' ? t('error.csrf') : t('error.403');
    case 404: return t('error.404');
    case 409: return t('error.409') + detail;
    case 413: return t('error.413');
    case 422: return t('error.422') + detail;
    case 429: return t('error.429');
    default: return t('error.5xx');
  }
}

export function q(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
}
