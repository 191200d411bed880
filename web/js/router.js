// Routes over the URL hash (#/contacts/12?stage=met): deep links work from any static host,
// and a page's module is loaded the first time it is opened.

const routes = [];
export function route(pattern, load, opts = {}) {
  const keys = [];
  const regex = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, k) => { keys.push(k); return '([^/]+)'; }) + '$');
  routes.push({ regex, keys, load, opts });
}

export function current() {
  const hash = location.hash.replace(/^#/, '') || '/today';
  const [path, queryString] = hash.split('?');
  return { path, query: new URLSearchParams(queryString || '') };
}

export function match(path) {
  for (const r of routes) {
    const m = path.match(r.regex);
    if (m) {
      const params = {};
      r.keys.forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      return { ...r, params };
    }
  }
  return null;
}

export function go(path) {
  if (location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = path;
}
