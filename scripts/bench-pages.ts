/* `npm run bench:pages [-- --chunks]`: the JavaScript each page makes a browser download at first
 * load, compressed as the server sends it, against the goal of 150 KB per page (1 KB = 1,024 bytes).
 *
 * It serves the production build as the demo and the e2e tests do (building it first when the
 * source changed since the last build: scripts/lib/build-fingerprint.ts), on a fresh embedded
 * PostgreSQL and the emulator, signs in as each role's demo user, files the requests that give the
 * request pages something to show, then fetches every page with a browser's Accept-Encoding and
 * every script its HTML loads (scripts/bench/first-load-scripts.ts), counting bytes as they come
 * over the wire. `--chunks` also lists each page's scripts with their sizes. Figures, not
 * assertions; everything it starts is stopped at the end. */
import { readFileSync, existsSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import zlib from "node:zlib";
import { startTestStack, type TestStack } from "../test/support/stack";
import { firstLoadScripts } from "./bench/first-load-scripts";
import { decideBuild, fingerprintOf, readStamp } from "./lib/build-fingerprint";
import { BIN, BUILD_STAMP, ROOT, STANDALONE } from "./lib/paths";
import { run } from "./lib/processes";

const GOAL_KB = 150;
/** What Chromium sends: the server picks among these. */
const ACCEPT_ENCODING = "gzip, deflate, br, zstd";
const isListingChunks = process.argv.includes("--chunks");
const started = Date.now();

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** the body as sent (still compressed) */
  body: Buffer;
}

/** One HTTP(S) request, the body left as it came over the wire; the emulator's CA trusted for HTTPS. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; ca?: Buffer }) {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  return new Promise<Answer>((resolve, reject) => {
    const request = client.request(
      target,
      { method: options.method ?? "GET", headers: options.headers, ...(options.ca ? { ca: options.ca } : {}) },
      (response) => {
        const parts: Buffer[] = [];
        response.on("data", (part: Buffer) => parts.push(part));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts) }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

/** The HTML as text, whichever encoding the server chose (zstd only where Node has it: 22.15+). */
function decoded(answer: Answer) {
  const decoders: Record<string, ((b: Buffer) => Buffer) | undefined> = {
    gzip: zlib.gunzipSync,
    br: zlib.brotliDecompressSync,
    deflate: zlib.inflateSync,
    zstd: (zlib as unknown as Record<string, ((b: Buffer) => Buffer) | undefined>).zstdDecompressSync,
  };
  const encoding = String(answer.headers["content-encoding"] ?? "identity");
  const decode = decoders[encoding];
  if (encoding !== "identity" && !decode) throw new Error(`cannot read a body sent as ${encoding}`);
  return (decode ? decode(answer.body) : answer.body).toString("utf8");
}

/** A demo user's cookies, from the real sign-in: the app's /auth/sign-in, the emulator's picker, the callback. */
class Browser {
  private readonly cookies = new Map<string, string>();
  constructor(
    readonly name: string,
    private readonly stack: TestStack,
    private readonly ca: Buffer,
  ) {}

  private keep(answer: Answer) {
    for (const line of answer.headers["set-cookie"] ?? []) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1));
    }
    return answer;
  }

  async get(url: string, headers: Record<string, string> = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return this.keep(await send(url, { headers: { ...headers, ...(cookie ? { cookie } : {}) }, ca: this.ca }));
  }

  async signIn(userPrincipalName: string) {
    const toEntra = await this.get(`${this.stack.appUrl}/auth/sign-in`);
    const authorize = new URL(String(toEntra.headers.location));
    const state = JSON.parse(
      (await send(`${authorize.origin}/_emulator/state`, { ca: this.ca })).body.toString("utf8"),
    ) as { users: Array<{ id: string; userPrincipalName: string }> };
    const user = state.users.find((u) => u.userPrincipalName === userPrincipalName);
    if (!user) throw new Error(`no demo user ${userPrincipalName}`);
    const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), user_id: user.id });
    const picked = await send(`${authorize.origin}${authorize.pathname}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
      ca: this.ca,
    });
    const callback = await this.get(String(picked.headers.location));
    if (callback.status !== 303 || !this.cookies.has("jit_session"))
      throw new Error(`signing in ${userPrincipalName} failed: the callback answered ${callback.status}`);
    return this;
  }

  /** Files a request through the JSON API, as the signed-in user; returns its id. */
  async file(input: Record<string, unknown>) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const answer = await send(`${this.stack.appUrl}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: this.stack.appUrl, cookie },
      body: JSON.stringify(input),
    });
    if (answer.status !== 201)
      throw new Error(`filing ${JSON.stringify(input)} answered ${answer.status}: ${answer.body}`);
    return (JSON.parse(answer.body.toString("utf8")) as { id: string }).id;
  }
}

interface Weighed {
  page: string;
  who: string;
  bytes: number;
  encodings: Set<string>;
  scripts: Array<{ path: string; bytes: number }>;
}

/** One page's first-load JavaScript: its HTML, then every script it loads, counted as sent. */
async function weigh(browser: Browser, appUrl: string, page: string): Promise<Weighed> {
  const url = `${appUrl}${page}`;
  const answer = await browser.get(url, { "accept-encoding": ACCEPT_ENCODING, accept: "text/html" });
  if (answer.status !== 200) throw new Error(`${page} as ${browser.name} answered ${answer.status}`);
  const html = decoded(answer);
  const encodings = new Set<string>();
  const scripts: Weighed["scripts"] = [];
  for (const script of firstLoadScripts(html, url)) {
    const sent = await send(script, { headers: { "accept-encoding": ACCEPT_ENCODING } });
    if (sent.status !== 200) throw new Error(`${script} (loaded by ${page}) answered ${sent.status}`);
    encodings.add(String(sent.headers["content-encoding"] ?? "identity"));
    scripts.push({ path: new URL(script).pathname, bytes: sent.body.length });
  }
  if (scripts.length === 0) throw new Error(`${page} loads no script: the HTML is not what this bench reads`);
  const bytes = scripts.reduce((sum, s) => sum + s.bytes, 0);
  return { page, who: browser.name, bytes, encodings, scripts: scripts.sort((a, b) => b.bytes - a.bytes) };
}

async function ensureBuild() {
  const decision = decideBuild({
    stamp: readStamp(BUILD_STAMP),
    hasOutput: ["server.js", "worker.mjs"].every((file) => existsSync(path.join(STANDALONE, file))),
    current: fingerprintOf(ROOT, process.env),
    isForced: process.argv.includes("--rebuild"),
  });
  if (!decision.isBuildNeeded) {
    console.log(`Using the production build from ${decision.builtAt.toLocaleString("en-GB")} (nothing in it changed).`);
    return;
  }
  console.log(`Building the app first (${decision.reason}); several minutes on a busy machine…`);
  await run(path.join(BIN, "tsx"), ["scripts/build.ts"], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

const kb = (bytes: number) => bytes / 1024;

await ensureBuild();
const stack = await startTestStack({ app: "start" });
let isStopped = false;
const stopStack = async () => {
  if (isStopped) return;
  isStopped = true;
  await stack.stop();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stopStack().finally(() => process.exit(130)));
}
try {
  const ca = readFileSync(stack.caPath);
  const sign = (who: string) => new Browser(who, stack, ca).signIn(`${who}@contoso.com`);
  const [requester, approver, auditor, admin] = await Promise.all(["n01", "p01", "aud01", "adm01"].map(sign));
  const anonymous = new Browser("—", stack, ca);
  // A request awaiting a decision on the role with step-up (its approver's page loads the sign-in
  // popup's code, the heaviest page), and a break-glass use for the review list.
  const stepUpRequest = await requester!.file({
    cluster: "aks-prod-weu",
    role: "cluster-admin",
    duration: "PT1H",
    justification: "bench:pages, a request awaiting a decision with step-up",
    ticket: "INC12345",
  });
  await requester!.file({
    cluster: "aks-prod-weu",
    role: "admin",
    duration: "PT1H",
    justification: "bench:pages, a break-glass use to review",
    breakGlass: true,
  });

  // "/" only sends each person on to /access.
  const pages: Array<[Browser, string]> = [
    [requester!, "/access"],
    [requester!, `/requests/${stepUpRequest}`],
    [approver!, `/requests/${stepUpRequest}`],
    [requester!, "/notifications"],
    [approver!, "/approvals"],
    [approver!, "/approvals/break-glass"],
    [auditor!, "/audit"],
    [auditor!, "/audit/insights"],
    [auditor!, `/audit/requests/${stepUpRequest}`],
    [admin!, "/admin"],
    [anonymous, "/signed-out"],
    [anonymous, "/auth/error?reason=unavailable"],
    [anonymous, "/auth/popup"],
  ];
  const results: Weighed[] = [];
  for (const [browser, page] of pages) results.push(await weigh(browser, stack.appUrl, page));

  const encodings = [...new Set(results.flatMap((r) => [...r.encodings]))].join(", ");
  console.log(
    `\nFirst-load JavaScript per page, as sent (${encodings}; Accept-Encoding: ${ACCEPT_ENCODING}), goal ≤ ${GOAL_KB} KB:`,
  );
  const width = Math.max(...results.map((r) => r.page.replace(stepUpRequest, "<id>").length));
  for (const result of results) {
    const shown = result.page.replace(stepUpRequest, "<id>").padEnd(width);
    const isMet = kb(result.bytes) <= GOAL_KB;
    console.log(
      `  ${shown}  ${result.who.padEnd(5)} ${kb(result.bytes).toFixed(1).padStart(6)} KB (goal ≤ ${GOAL_KB} KB) ${isMet ? "✓" : "✗"}  ${result.scripts.length} scripts`,
    );
    if (isListingChunks) {
      for (const script of result.scripts)
        console.log(`      ${kb(script.bytes).toFixed(1).padStart(6)} KB  ${script.path}`);
    }
  }
  const worst = results.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const missed = results.filter((r) => kb(r.bytes) > GOAL_KB).length;
  console.log(
    `\nHeaviest: ${worst.page.replace(stepUpRequest, "<id>")} ${kb(worst.bytes).toFixed(1)} KB; ${missed === 0 ? `every page ≤ ${GOAL_KB} KB ✓` : `${missed} of ${results.length} pages over ${GOAL_KB} KB ✗`}` +
      ` (${Math.round((Date.now() - started) / 1000)} s, load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})`,
  );
} finally {
  await stopStack();
}
