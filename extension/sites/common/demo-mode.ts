// Whether this is the build `npm start` makes for its demo pages (see demo.ts), and how an adapter
// reads a demo page's URL: <local API>/demo/<site>/<path> stands for https://<site's host>/<path>.
// In every other build `asSiteUrl` returns the URL as it is.

export const isDemoBuild = import.meta.env.MODE === 'demo';

export function asSiteUrl(url: URL, site: string, host: string): URL {
  if (!isDemoBuild) return url;
  const prefix = `/demo/${site}/`;
  if (!url.pathname.startsWith(prefix)) return url;
  return new URL(`https://${host}/${url.pathname.slice(prefix.length)}${url.search}${url.hash}`);
}
