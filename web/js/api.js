// The API client: bearer token, ETags for If-Match, problem+json as errors, cursor pages.
// The front uses only the public API, as any other client would.

// Where the API is: this server unless index.html names another (`--web-api-origin`, or edited
// by hand on a static host). Never taken from the URL, so a crafted link cannot send a
// password elsewhere.
const meta = document.querySelector('meta[name="foothold-api"]');
export const base = ((meta && meta.content) || '').replace(/\/+$/, '');

const TOKEN_KEY = 'foothold.token';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || (status === 0 ? 'network' : `http_${status}`);
    this.errors = this.problem.errors || [];
  }
}

export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY) || localStorage.getItem(TOKEN_KEY); },
  set(token, remember) {
    sessionStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(TOKEN_KEY);
    if (token) (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
  },
  /** The shared account being read, as {id, name, scope}; null: one's own. */
  as: null,
  me: null,
};

/** The path of an account route, under /accounts/{id} when reading a shared account. */
export function scoped(path) {
  return session.as ? `/accounts/${session.as.id}${path}` : path;
}

const listeners = new Set();
export function onUnauthorized(fn) { listeners.add(fn); }

/**
 * request('PATCH', '/contacts/3', {body, etag}) → {status, data, etag, headers}
 * Throws ApiError: status 0 for a lost connection, the problem's code otherwise.
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: opts.accept || 'application/json' };
  const token = opts.token || session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.etag) headers['If-Match'] = opts.etag;
  let body;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['Content-Type'] = opts.contentType;
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  }
  let response;
  try {
    response = await fetch(base + path, { method, headers, body, cache: 'no-store', referrerPolicy: 'no-referrer' });
  } catch (e) {
    throw new ApiError(0, { code: 'network', detail: 'The server could not be reached. Nothing was lost here: try again.' });
  }
  const etag = response.headers.get('ETag');
  if (response.status === 204) return { status: 204, data: null, etag, headers: response.headers };
  const type = response.headers.get('Content-Type') || '';
  let data = null;
  if (opts.blob && response.ok) data = await response.blob();
  else if (type.includes('json')) data = await response.json().catch(() => null);
  else data = await response.text();
  if (!response.ok) {
    const problem = data && typeof data === 'object' ? data : { detail: `The server answered ${response.status}.` };
    if (response.status === 401 && !opts.token) for (const fn of listeners) fn();
    throw new ApiError(response.status, problem);
  }
  return { status: response.status, data, etag, headers: response.headers };
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, body, opts = {}) => request('POST', path, { ...opts, body });
export const patch = (path, body, etag, opts = {}) => request('PATCH', path, { ...opts, body, etag });
export const del = (path, etag, opts = {}) => request('DELETE', path, { ...opts, etag });

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v == null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x)); else q.append(k, String(v));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** A list, one page at a time: {items, next()} where next() is null at the end. */
export async function page(path, params) {
  const { data } = await get(path + query(params));
  return {
    items: data.items,
    next: data.next_cursor ? () => page(path, { ...params, cursor: data.next_cursor }) : null,
  };
}

/** Every item of a short list (choices in a select): pages of 200, at most `cap` items. */
export async function all(path, params = {}, cap = 1000) {
  let items = [];
  let p = await page(path, { ...params, limit: 200 });
  items = items.concat(p.items);
  while (p.next && items.length < cap) { p = await p.next(); items = items.concat(p.items); }
  return items;
}

/** A download through the API (the token goes in a header, never in a URL). */
export async function download(path, filename, accept = '*/*') {
  const { data } = await request('GET', path, { blob: true, accept });
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
