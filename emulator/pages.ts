/* HTML pages the emulator shows in the browser: the account picker, errors, and sign-out. */
import { escapeHtml } from "./http";
import type { Application, DirectoryUser, Tenant } from "./tenant";

const STYLE = `
  :root { color-scheme: light; font-family: "Segoe UI", system-ui, -apple-system, sans-serif; }
  body { margin: 0; background: #f2f2f2; color: #1b1b1b; }
  main { max-width: 440px; margin: 48px auto; background: #fff; padding: 40px 44px; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
  .badge { display: inline-block; font-size: 12px; background: #fff4ce; border: 1px solid #c19c00; padding: 2px 8px; border-radius: 2px; }
  h1 { font-size: 24px; font-weight: 600; margin: 16px 0 8px; }
  p { font-size: 15px; line-height: 1.4; }
  ul { list-style: none; padding: 0; margin: 16px 0; }
  li + li { border-top: 1px solid #e6e6e6; }
  button.account { display: flex; flex-direction: column; align-items: flex-start; width: 100%; border: 0; background: none;
    padding: 12px 8px; cursor: pointer; text-align: left; font: inherit; }
  button.account:hover, button.account:focus-visible { background: #e6f2fb; outline: 2px solid #0067b8; outline-offset: -2px; }
  button.account[data-hinted] { background: #f3f9fd; }
  .name { font-size: 15px; font-weight: 600; }
  .upn, .meta { font-size: 13px; color: #505050; }
  .cancel { margin-top: 8px; border: 1px solid #8a8886; background: #fff; padding: 6px 16px; font: inherit; cursor: pointer; }
  code { font-size: 13px; word-break: break-all; }
`;

function layout(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>
<span class="badge">Local Entra ID emulator · not Microsoft</span>${body}</main></body></html>`;
}

export function accountPickerPage(options: {
  tenant: Tenant;
  app: Application;
  action: string;
  fields: Record<string, string>;
  loginHint?: string;
  /** prompt=login: the app asks the person to prove who they are again (step-up) */
  isReauthentication?: boolean;
}) {
  const hidden = Object.entries(options.fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  const hint = options.loginHint?.toLowerCase();
  const accounts = options.tenant.users
    .filter((u) => u.accountEnabled)
    .map((u: DirectoryUser) => {
      const hinted = hint === u.userPrincipalName.toLowerCase() ? " data-hinted" : "";
      return `<li><button class="account" type="submit" name="user_id" value="${escapeHtml(u.id)}"${hinted}>
<span class="name">${escapeHtml(u.displayName)}</span><span class="upn">${escapeHtml(u.userPrincipalName)}</span>
${u.jobTitle ? `<span class="meta">${escapeHtml(u.jobTitle)}</span>` : ""}</button></li>`;
    })
    .join("");
  const heading = options.isReauthentication
    ? `<h1>Sign in again</h1>
<p><strong>${escapeHtml(options.app.displayName)}</strong> asks you to confirm who you are before you continue.</p>`
    : `<h1>Pick an account</h1>`;
  return layout(
    "Sign in to your account",
    `${heading}
<p>to continue to <strong>${escapeHtml(options.app.displayName)}</strong> in ${escapeHtml(options.tenant.displayName)}.
This demo tenant has no passwords: choose a user to sign in as them.</p>
<form method="post" action="${escapeHtml(options.action)}">${hidden}
<ul aria-label="Demo accounts">${accounts}</ul>
<button class="cancel" type="submit" name="cancel" value="1">Cancel</button>
</form>`,
  );
}

export function errorPage(code: number, message: string, detail: string) {
  return layout(
    "Sign-in error",
    `<h1>Sorry, but we're having trouble signing you in.</h1>
<p role="alert"><strong>AADSTS${code}</strong>: ${escapeHtml(message)}</p>
<p><code>${escapeHtml(detail)}</code></p>`,
  );
}

export function formPostPage(action: string, fields: Record<string, string>) {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Working...</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(action)}">${inputs}
<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
}

export function signedOutPage() {
  return layout(
    "Signed out",
    `<h1>You signed out of your account</h1><p>It's a good idea to close all browser windows.</p>`,
  );
}
