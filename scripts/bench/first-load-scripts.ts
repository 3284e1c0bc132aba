/* Which JavaScript files a page's HTML makes the browser load before the page is interactive, as
 * `npm run bench:pages` counts them: the `<script src>` tags, scripts preloaded by `<link>`, and the
 * chunks of the client components named in Next's flight data (the `self.__next_f.push` scripts),
 * which React loads to hydrate them; not the `nomodule` polyfills, which today's browsers skip. What the page's code imports later (`import()` on a click) is
 * not in the HTML, so it is not counted: it is not first load. */

const SCRIPT_TAG = /<script\b[^>]*>/gi;
const SRC = /\bsrc="([^"]+)"/i;
/** `nomodule`: the polyfills for browsers without ES modules, which every other browser skips. */
const NO_MODULE = /\bnomodule\b/i;
const PRELOADED_SCRIPT =
  /<link\b(?=[^>]*\brel="(?:preload|modulepreload)")(?=[^>]*\bas="script")[^>]*?\bhref="([^"]+)"/gi;
const MODULE_PRELOAD = /<link\b(?=[^>]*\brel="modulepreload")[^>]*?\bhref="([^"]+)"/gi;
const FLIGHT_PUSH = /self\.__next_f\.push\((\[[\s\S]*?\])\)<\/script>/g;
const CHUNK = /(?:\/_next\/)?static\/chunks\/[\w\-.~/%]+?\.js(?:\?[\w\-.=&%]*)?/g;

const unescapeHtml = (value: string) =>
  value
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'");

/** The text of the flight data in the page's inline scripts (their string parts, in order). */
export function flightText(html: string): string {
  let text = "";
  for (const [, array] of html.matchAll(FLIGHT_PUSH)) {
    try {
      const row = JSON.parse(array!) as unknown[];
      if (typeof row[1] === "string") text += row[1];
    } catch {
      // Not JSON (a form Next does not emit today): its chunks are still in the script tags.
    }
  }
  return text;
}

/**
 * The absolute URLs of the scripts a page loads at first load, each once (by path: the same chunk
 * with and without the deployment id's `?dpl=` is one file).
 */
export function firstLoadScripts(html: string, pageUrl: string): string[] {
  const found = new Map<string, string>();
  const add = (reference: string) => {
    const raw = unescapeHtml(reference);
    const url = new URL(raw.startsWith("static/") ? `/_next/${raw}` : raw, pageUrl);
    if (url.origin !== new URL(pageUrl).origin) return;
    if (!found.has(url.pathname)) found.set(url.pathname, url.href);
  };
  for (const [tag] of html.matchAll(SCRIPT_TAG)) {
    const src = SRC.exec(tag)?.[1];
    if (src && !NO_MODULE.test(tag)) add(src);
  }
  for (const pattern of [PRELOADED_SCRIPT, MODULE_PRELOAD]) {
    for (const [, href] of html.matchAll(pattern)) add(href!);
  }
  // Client references: rows such as `4:I["id",["/_next/static/chunks/a.js"],"Name"]`.
  for (const line of flightText(html).split("\n")) {
    if (!/^[0-9a-f]+:I\[/.test(line)) continue;
    for (const [chunk] of line.matchAll(CHUNK)) add(chunk);
  }
  return [...found.values()];
}
