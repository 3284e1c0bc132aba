// @ts-check
/**
 * Every security header the app sends, decided here and nowhere else: proxy.ts applies
 * securityHeaders() to each page, route handler and server action (with a fresh CSP nonce per
 * request, Next's documented nonce pattern), and next.config.js applies STATIC_ASSET_HEADERS to the
 * build's static files, which the proxy skips. Plain JavaScript so that next.config.js can import it.
 */

/**
 * Browser features the dashboard never uses, switched off for it and for anything it might embed.
 * Only features Chromium, Firefox and Safari recognise: an unknown one is logged as an error.
 */
export const PERMISSIONS_POLICY = [
  "accelerometer",
  "autoplay",
  "camera",
  "display-capture",
  "geolocation",
  "gyroscope",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "usb",
  "serial",
  "hid",
  "xr-spatial-tracking",
]
  .map((feature) => `${feature}=()`)
  .join(", ");

/** One year, the minimum the HSTS preload list asks for. */
const HSTS = "max-age=31536000; includeSubDomains";

/** JSON and redirects load nothing: a response that is opened as a document may do nothing either. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Headers that depend on nothing: also on the build's static files (next.config.js). */
export const STATIC_ASSET_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  // frame-ancestors 'none' in the CSP says the same to every current browser; this is for older ones.
  "X-Frame-Options": "DENY",
};

/**
 * @typedef {object} SecurityHeaderSettings
 * @property {string} appUrl APP_URL: HSTS and upgrade-insecure-requests only when it is https
 * @property {string} authorityHost ENTRA_AUTHORITY_HOST, which the browser talks to (see documentCsp)
 * @property {boolean} isDevelopment `next dev`: React's dev build needs eval, its CSS arrives as inline styles
 */

/** 128 random bits, base64: unguessable and new for every response (a nonce that repeats is no nonce). */
export function createNonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** API routes answer JSON (and the health probes text): they get the locked-down policy. */
export function isApiPath(/** @type {string} */ pathname) {
  return pathname === "/api" || pathname.startsWith("/api/");
}

/**
 * The CSP of the dashboard's documents. Next puts the nonce on its own scripts and inline styles
 * (it reads it back from this header in the request); 'strict-dynamic' lets those scripts load the
 * chunks they import, and nothing else runs.
 * - connect-src and form-action name the authority: the step-up popup's msal-browser fetches the
 *   OpenID configuration and redeems the code at ENTRA_AUTHORITY_HOST from our page, and sign-in
 *   and sign-out are form posts or links that redirect there (form-action applies to redirects).
 * - style-src: Tailwind's CSS is a file from 'self'; the nonce covers the <style> Next may inline.
 *   No 'unsafe-inline' outside `next dev`: the app sets no style attributes (charts are SVG).
 * - Images and fonts fall under default-src 'self': the icon is a file, the CSS embeds no data: URLs.
 *
 * @param {string} nonce
 * @param {SecurityHeaderSettings} settings
 */
export function documentCsp(nonce, settings) {
  const authority = new URL(settings.authorityHost).origin;
  const isHttps = settings.appUrl.startsWith("https://");
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${settings.isDevelopment ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' ${settings.isDevelopment ? "'unsafe-inline'" : `'nonce-${nonce}'`}`,
    `connect-src 'self' ${authority}`,
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${authority}`,
    "frame-ancestors 'none'",
    // On http (localhost only, env-schema) upgrading would send the page's own requests to https.
    ...(isHttps ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/**
 * Cross-Origin-Opener-Policy: no window of another origin keeps a handle on ours, either way. The
 * strictest value works with the step-up popup because msal-browser 5 does not read the popup
 * through window.opener: its redirect bridge (app/auth/popup) hands the answer back over a
 * BroadcastChannel and closes the popup itself. e2e/step-up.spec.ts passed with same-origin,
 * same-origin-allow-popups, and with none on /auth/popup alike. (msal's `enableLegacyPolling`, which
 * reads popup.location, would need same-origin-allow-popups: the app does not set it.)
 */
const OPENER_POLICY = "same-origin";

/**
 * Every security header for a response to `pathname`. `nonce` must be new for each request.
 *
 * @param {string} pathname
 * @param {string} nonce
 * @param {SecurityHeaderSettings} settings
 * @returns {Record<string, string>}
 */
export function securityHeaders(pathname, nonce, settings) {
  return {
    ...STATIC_ASSET_HEADERS,
    "Content-Security-Policy": isApiPath(pathname) ? API_CSP : documentCsp(nonce, settings),
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": OPENER_POLICY,
    ...(settings.appUrl.startsWith("https://") ? { "Strict-Transport-Security": HSTS } : {}),
  };
}
