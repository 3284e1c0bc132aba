// @ts-check
/** The schema of the app's configuration; lib/config/env.js applies it to process.env at boot. */
import { BlockList, isIP } from "node:net";
import { z } from "zod";

/** Comma-separated Entra group object ids. */
const groupIds = z
  .string()
  .default("")
  .transform((value) =>
    value
      .split(",")
      .map((id) => id.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(z.array(z.guid({ message: "must be a comma-separated list of Entra group object ids (GUIDs)" })));

const httpsUrl = z
  .url()
  .refine((value) => value.startsWith("https://"), {
    message: "must be an https:// URL (MSAL and the Azure SDKs refuse plain http)",
  })
  .transform((value) => value.replace(/\/+$/, ""));

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Named incoming webhooks, `name=url` pairs separated by commas or new lines (Teams or Slack: the
 * catalog says which, as `teams:<name>` or `slack:<name>`). The URLs are secrets: messages about them
 * name the webhook, never the URL.
 */
const webhooks = z
  .string()
  .default("")
  .transform((value, ctx) => {
    /** @type {Record<string, string>} */
    const byName = {};
    const pairs = value.split(/[,\n]/).map((pair) => pair.trim());
    for (const pair of pairs.filter(Boolean)) {
      const at = pair.indexOf("=");
      const name = at > 0 ? pair.slice(0, at).trim() : "";
      const url = at > 0 ? pair.slice(at + 1).trim() : "";
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) {
        ctx.addIssue({
          code: "custom",
          message: "each entry must be name=url, the name in lowercase letters, digits and hyphens",
        });
        continue;
      }
      let parsed;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (
        !parsed ||
        !(parsed.protocol === "https:" || (parsed.protocol === "http:" && LOOPBACK.has(parsed.hostname)))
      ) {
        ctx.addIssue({ code: "custom", message: `the URL of webhook "${name}" must be an https:// URL` });
        continue;
      }
      if (name in byName) ctx.addIssue({ code: "custom", message: `webhook "${name}" is named twice` });
      byName[name] = url;
    }
    return byName;
  });

const WINDOW_SECONDS = { s: 1, m: 60, h: 3600 };

/**
 * A rate limit, `<count>/<window>` such as `20/10m`: at most that many attempts per window
 * (s, m or h). Parsed to `{ points, durationSeconds }` for lib/limits/rate-limit.ts.
 *
 * @param {string} fallback
 */
const rateLimit = (fallback) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^\s*(\d{1,7})\s*\/\s*(\d{1,5})\s*([smh])\s*$/.exec(value);
      const points = match ? Number(match[1]) : 0;
      const durationSeconds = match ? Number(match[2]) * WINDOW_SECONDS[/** @type {"s"|"m"|"h"} */ (match[3])] : 0;
      if (points < 1 || durationSeconds < 1 || durationSeconds > 86_400) {
        ctx.addIssue({
          code: "custom",
          message: "must be <count>/<window>, such as 20/10m: a count of 1 or more per window of s, m or h up to 24h",
        });
        return z.NEVER;
      }
      return { points, durationSeconds };
    });

/** Express's names for address ranges (`trust proxy`), usable in TRUSTED_PROXIES. */
const NAMED_RANGES = {
  loopback: ["127.0.0.1/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/**
 * @typedef {{ address: string, prefix: number, family: "ipv4" | "ipv6" }} TrustedSubnet
 * @typedef {{ kind: "none" } | { kind: "hops", hops: number } | { kind: "subnets", subnets: TrustedSubnet[] }} TrustedProxies
 */

/**
 * One entry of TRUSTED_PROXIES, `address` or `address/prefix`, as node:net's BlockList takes it
 * (BlockList refuses what it cannot use; it has no parser of `a/b` strings before Node 22).
 *
 * @param {string} entry
 * @returns {TrustedSubnet | null}
 */
function trustedSubnet(entry) {
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) return null;
  /** @type {TrustedSubnet} */
  const subnet = {
    address,
    prefix: prefix === undefined ? (version === 4 ? 32 : 128) : Number(prefix),
    family: version === 4 ? "ipv4" : "ipv6",
  };
  try {
    new BlockList().addSubnet(subnet.address, subnet.prefix, subnet.family);
  } catch {
    return null;
  }
  return subnet;
}

/**
 * The proxies in front of the app whose X-Forwarded-For is believed (lib/http/client-ip.ts), as
 * Express's `trust proxy` takes them: a hop count (`1`: the one proxy that connects to the app, such
 * as the AKS ingress controller), or addresses and CIDRs, comma-separated (`10.244.0.0/16, fd00::/8`,
 * or loopback, linklocal, uniquelocal). Empty or `0`: none; the client is the socket's address.
 */
const trustedProxies = z
  .string()
  .default("")
  .transform((value, ctx) => {
    const text = value.trim();
    if (text === "" || text === "0") return /** @type {TrustedProxies} */ ({ kind: "none" });
    if (/^\d+$/.test(text)) {
      const hops = Number(text);
      if (hops > 10) {
        ctx.addIssue({ code: "custom", message: "a hop count must be between 0 and 10" });
        return z.NEVER;
      }
      return /** @type {TrustedProxies} */ ({ kind: "hops", hops });
    }
    /** @type {TrustedSubnet[]} */
    const subnets = [];
    for (const entry of text.split(",").map((part) => part.trim())) {
      const named = Object.hasOwn(NAMED_RANGES, entry)
        ? NAMED_RANGES[/** @type {keyof typeof NAMED_RANGES} */ (entry)]
        : undefined;
      const parsed = named ? named.map(trustedSubnet) : [trustedSubnet(entry)];
      if (parsed.some((subnet) => subnet === null)) {
        ctx.addIssue({
          code: "custom",
          message: `"${entry.slice(0, 60)}" is not an IP address or CIDR: give a hop count (e.g. 1) or addresses and CIDRs separated by commas (e.g. 10.244.0.0/16, fd00::/8)`,
        });
        return z.NEVER;
      }
      subnets.push(.../** @type {TrustedSubnet[]} */ (parsed));
    }
    return /** @type {TrustedProxies} */ ({ kind: "subnets", subnets });
  });

export const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Public origin of the dashboard; the sign-in redirect URI is `${APP_URL}/auth/callback`. */
  APP_URL: z
    .url()
    .transform((value) => value.replace(/\/+$/, ""))
    .refine((value) => value.startsWith("https://") || LOOPBACK.has(new URL(value).hostname), {
      message: "must use https:// unless the host is localhost (session cookies are Secure outside localhost)",
    }),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, { message: "must be a postgresql:// connection string" }),
  /** Encrypts session cookies. 32 characters or more of randomness: `openssl rand -base64 48`. */
  SESSION_SECRET: z.string().min(32, { message: "must be at least 32 characters (try: openssl rand -base64 48)" }),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24)
    .default(8),
  /**
   * The oldest Entra group membership privileged roles (approver, auditor, admin) may rest on: after
   * this long, a person's groups are read again from Graph on their next request, so that someone
   * removed from a group loses what it gave within this bound, mid-session and with a bearer token.
   */
  ROLE_FRESHNESS_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /**
   * The reverse proxies whose X-Forwarded-For is believed when recording a client's IP (audit, rate
   * limits per IP): a hop count or CIDRs, like Express's `trust proxy`. Unset: none.
   */
  TRUSTED_PROXIES: trustedProxies,
  /** https://login.microsoftonline.com in Azure's public cloud; the emulator's URL in the demo. */
  ENTRA_AUTHORITY_HOST: httpsUrl.default("https://login.microsoftonline.com"),
  ENTRA_TENANT_ID: z.guid({ message: "must be your Entra tenant id (a GUID)" }),
  ENTRA_CLIENT_ID: z.guid({ message: "must be the app registration's Application (client) ID" }),
  /**
   * The app's credential, one of two (credentialProblems): a client secret of the app registration,
   * or Entra Workload ID on AKS (AZURE_FEDERATED_TOKEN_FILE and the other AZURE_* variables below,
   * which the workload identity webhook injects), which needs no secret at all.
   */
  ENTRA_CLIENT_SECRET: z.string().min(1, { message: "must be a client secret of the app registration" }).optional(),
  /** Entra Workload ID: the projected service account token the app trades for Entra tokens (it rotates). */
  AZURE_FEDERATED_TOKEN_FILE: z.string().min(1).optional(),
  /** Entra Workload ID: the client id the webhook injects; must be ENTRA_CLIENT_ID. */
  AZURE_CLIENT_ID: z.guid({ message: "must be the app registration's Application (client) ID" }).optional(),
  /** Entra Workload ID: the tenant id the webhook injects; must be ENTRA_TENANT_ID. */
  AZURE_TENANT_ID: z.guid({ message: "must be your Entra tenant id (a GUID)" }).optional(),
  /** Entra Workload ID: the authority host the webhook injects; must be ENTRA_AUTHORITY_HOST. */
  AZURE_AUTHORITY_HOST: httpsUrl.optional(),
  /** https://graph.microsoft.com in Azure's public cloud; the emulator's URL in the demo. */
  GRAPH_BASE_URL: httpsUrl.default("https://graph.microsoft.com"),
  /** The Graph resource the app's own token is for; its host differs only in sovereign clouds. */
  GRAPH_APP_SCOPE: z.string().default("https://graph.microsoft.com/.default"),
  /** https://management.azure.com in Azure's public cloud; the emulator's URL in the demo. */
  ARM_BASE_URL: httpsUrl.default("https://management.azure.com"),
  /** The ARM resource the app's own token is for. */
  ARM_APP_SCOPE: z.string().default("https://management.azure.com/.default"),
  /** The Log Analytics query API (LogsQueryClient's endpoint is this plus /v1). */
  LOG_ANALYTICS_BASE_URL: httpsUrl.default("https://api.loganalytics.io"),
  LOG_ANALYTICS_APP_SCOPE: z.string().default("https://api.loganalytics.io/.default"),
  APPROVER_GROUP_IDS: groupIds,
  AUDITOR_GROUP_IDS: groupIds,
  ADMIN_GROUP_IDS: groupIds,
  /** The access catalog: clusters, roles, grants and policies (YAML). */
  CATALOG_PATH: z.string().min(1).default("jit.catalog.yaml"),
  /** Run the background jobs in the web process (default); set false when `npm run worker` runs them. */
  JOBS_IN_WEB: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  /** How often a job that failed is tried again before it gives up (an activation then becomes failed). */
  JOB_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(5),
  /** The first retry's delay; each later retry waits twice as long (5 s, 10 s, 20 s ...). */
  JOB_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /**
   * A job still running after this long is taken as lost (its process died) and retried. Also the
   * longest a job waits in-process for a service's Retry-After.
   */
  JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(300),
  /** How often the reconciler compares the assignments in Entra ID and Azure with the grant ledger. */
  RECONCILE_EVERY_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  /**
   * How long access can outlive its grant: Entra access tokens cannot be revoked and AKS accepts
   * them until they expire (60-90 minutes). Shown as each grant's effective end.
   */
  TOKEN_LIFETIME_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(75),
  /**
   * How long after a grant's effective end (its end plus TOKEN_LIFETIME_MINUTES) the holder's activity
   * is read from the audit logs: Log Analytics ingests AKS audit logs with a delay of minutes.
   */
  ACTIVITY_DELAY_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(15),
  /**
   * The mailbox notifications are sent from (Graph `POST /users/{sender}/sendMail`, the Mail.Send
   * application permission, limited to this mailbox by an Exchange application access policy).
   * Unset: no email is sent (in-app, Teams and Slack notifications still are).
   */
  NOTIFY_MAIL_SENDER: z
    .string()
    .includes("@", { message: "must be a mailbox address, e.g. jit@contoso.com" })
    .optional(),
  NOTIFY_WEBHOOKS: webhooks,
  /** Tell the holder this many minutes before their access ends (with a link to extend it). */
  NOTIFY_ENDING_SOON_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * The operations port of every process (web and worker): /livez, /readyz and /metrics for
   * Kubernetes probes and Prometheus. Not the app's port, so that no Service or Ingress exposes the
   * metrics; 0 turns it off.
   */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * On SIGTERM, how long a process lets the jobs in hand finish (a job waiting on a service's
   * Retry-After included) before it hands the rest back to the queue, where another worker takes them.
   */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(25),
  /**
   * The live dashboard (lib/db/change-feed.ts) holds one LISTEN connection per web process, which needs a
   * session: behind PgBouncer in transaction mode set this to a DIRECT connection (port 5432).
   * Unset: DATABASE_URL.
   */
  DATABASE_LISTEN_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: "must be a postgresql:// connection string" })
    .optional(),
  /** Connections the app's database pool may open per process (pg-boss has its own, JOBS_POOL_SIZE). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Connections the job queue may open per process. */
  JOBS_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(4),
  /**
   * Traces: an OTLP/HTTP collector (e.g. http://otel-collector:4318; the exporter adds /v1/traces).
   * Unset: no traces. The OpenTelemetry exporter also reads its other OTEL_* variables itself.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** The service name on the traces; defaults to aks-jit-web or aks-jit-worker. */
  OTEL_SERVICE_NAME: z.string().min(1).max(100).optional(),
  /**
   * A PEM file (PKCS#8) with the Ed25519 private key that signs audit retention checkpoints. Only
   * `npm run audit:retain` needs it: keep it off the web app, which gets AUDIT_VERIFY_KEY_FILE.
   * Create one with `openssl genpkey -algorithm ed25519 -out audit-signing-key.pem`.
   */
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /**
   * A PEM file (SPKI) with the public key that checkpoints are checked with (Audit page, API,
   * `npm run audit:verify`): `openssl pkey -in audit-signing-key.pem -pubout -out audit-verify-key.pem`.
   * Defaults to the public half of AUDIT_SIGNING_KEY_FILE.
   */
  AUDIT_VERIFY_KEY_FILE: z.string().min(1).optional(),
  /** Default of `npm run audit:retain`: keep the current month and this many whole months before it. */
  AUDIT_RETENTION_MONTHS: z.coerce.number().int().min(1).max(1200).optional(),
  /**
   * Rate limits, shared by every replica through PostgreSQL (docs/decisions/010-rate-limits.md):
   * per person for filing requests, approving or denying, audit exports and evidence packs, and
   * fresh sign-ins offered for step-up; per client IP for starting a sign-in.
   */
  RATE_LIMIT_REQUESTS: rateLimit("20/10m"),
  RATE_LIMIT_DECISIONS: rateLimit("120/10m"),
  RATE_LIMIT_EXPORTS: rateLimit("20/10m"),
  RATE_LIMIT_STEP_UP: rateLimit("20/10m"),
  RATE_LIMIT_ACTIVITY_CHECKS: rateLimit("20/10m"),
  RATE_LIMIT_SIGN_IN: rateLimit("60/10m"),
  /**
   * Open requests (pending, approved, scheduled, activating, active) one person may have for one role
   * on one cluster at a time.
   */
  MAX_OPEN_REQUESTS_PER_ROLE: z.coerce.number().int().min(1).max(100_000).default(3),
  /**
   * Refuse a request that overlaps the same person's pending request for the same role (409, with a
   * link to it), or their active access to it (extend that instead), and the same filing sent twice
   * within a minute (a double-click). `false` only where scripts file the same request on purpose,
   * such as test suites.
   */
  REFUSE_DUPLICATE_REQUESTS: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
});

/**
 * The settings of the audit commands (`npm run audit:retain`, `npm run audit:verify`): operator
 * tools that run against the database without the rest of the app's configuration.
 */
export const ZAuditEnv = ZEnv.pick({
  AUDIT_SIGNING_KEY_FILE: true,
  AUDIT_VERIFY_KEY_FILE: true,
  AUDIT_RETENTION_MONTHS: true,
});

/**
 * What the migration step (`migrate.mjs`, the chart's pre-upgrade hook) needs: the database and the
 * job settings that become the queues' options. Nothing of Entra ID.
 */
export const ZMigrateEnv = ZEnv.pick({
  DATABASE_URL: true,
  JOB_RETRY_LIMIT: true,
  JOB_RETRY_DELAY_SECONDS: true,
  JOB_TIMEOUT_SECONDS: true,
});

/** @typedef {z.infer<typeof ZEnv>} Env */

/**
 * @param {Record<string, string | undefined>} source
 * @returns {Env}
 */
export function parseEnv(source) {
  return parseWith(ZEnv, source, credentialProblems);
}

/**
 * Exactly one credential: a client secret, or Entra Workload ID's federated token file. With
 * Workload ID the webhook's AZURE_CLIENT_ID and AZURE_TENANT_ID (and AZURE_AUTHORITY_HOST, when
 * injected) must name the same app, tenant and cloud as the ENTRA_* settings, which stay required:
 * a service account annotated with another app's client id fails here, not at the first sign-in.
 * Checked on the raw values, so that these problems are listed with any others.
 *
 * @param {Record<string, string | undefined>} source without empty values
 * @returns {string[]}
 */
export function credentialProblems(source) {
  const hasSecret = source.ENTRA_CLIENT_SECRET !== undefined;
  const hasTokenFile = source.AZURE_FEDERATED_TOKEN_FILE !== undefined;
  const both = "ENTRA_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE";
  if (hasSecret && hasTokenFile) {
    return [
      `${both}: both are set; set exactly one: ENTRA_CLIENT_SECRET (a client secret) or AZURE_FEDERATED_TOKEN_FILE (Entra Workload ID, no secret)`,
    ];
  }
  if (!hasSecret && !hasTokenFile) {
    return [
      `${both}: neither is set; set exactly one: ENTRA_CLIENT_SECRET (a client secret of the app registration) or AZURE_FEDERATED_TOKEN_FILE with AZURE_CLIENT_ID and AZURE_TENANT_ID (Entra Workload ID on AKS, no secret)`,
    ];
  }
  if (!hasTokenFile) return [];
  const problems = [];
  /** @type {Array<[string, string, (value: string) => string]>} */
  const pairs = [
    ["AZURE_CLIENT_ID", "ENTRA_CLIENT_ID", (value) => value.toLowerCase()],
    ["AZURE_TENANT_ID", "ENTRA_TENANT_ID", (value) => value.toLowerCase()],
    ["AZURE_AUTHORITY_HOST", "ENTRA_AUTHORITY_HOST", (value) => value.replace(/\/+$/, "")],
  ];
  for (const [injected, own, normal] of pairs) {
    const value = source[injected];
    if (value === undefined) {
      if (injected !== "AZURE_AUTHORITY_HOST")
        problems.push(
          `${injected}: is required with AZURE_FEDERATED_TOKEN_FILE (Entra Workload ID); it must equal ${own}`,
        );
      continue;
    }
    const expected = source[own] ?? (own === "ENTRA_AUTHORITY_HOST" ? "https://login.microsoftonline.com" : undefined);
    if (expected !== undefined && normal(value) !== normal(expected)) {
      problems.push(`${injected}: must equal ${own} (Workload ID would sign in as another app, tenant or cloud)`);
    }
  }
  return problems;
}

/**
 * The configuration while `next build` runs: one image is built once and configured per
 * environment, so the build has no settings to check. Each variable is parsed on its own (defaults
 * apply; a missing or malformed one is left undefined): pages may import configuration at build,
 * but must not use it there. The server checks everything when it starts.
 *
 * @param {Record<string, string | undefined>} source
 * @returns {Env}
 */
export function parseEnvForBuild(source) {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const entries = Object.entries(ZEnv.shape).map(([key, schema]) => {
    const result = schema.safeParse(cleaned[key]);
    return [key, result.success ? result.data : undefined];
  });
  return /** @type {Env} */ (Object.fromEntries(entries));
}

/** @typedef {z.infer<typeof ZMigrateEnv>} MigrateEnv */

/**
 * @param {Record<string, string | undefined>} source
 * @returns {MigrateEnv}
 */
export function parseMigrateEnv(source) {
  return parseWith(ZMigrateEnv, source);
}

/** @typedef {z.infer<typeof ZAuditEnv>} AuditEnv */

/**
 * @param {Record<string, string | undefined>} source
 * @returns {AuditEnv}
 */
export function parseAuditEnv(source) {
  return parseWith(ZAuditEnv, source);
}

/**
 * @template {z.ZodType} S
 * @param {S} schema
 * @param {Record<string, string | undefined>} source
 * @param {(cleaned: Record<string, string | undefined>) => string[]} [crossChecks] problems that involve several variables
 * @returns {z.infer<S>}
 */
function parseWith(schema, source, crossChecks = () => []) {
  // Treat empty strings as unset, so `FOO=` in a .env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = schema.safeParse(cleaned);
  const problems = [
    ...(result.success ? [] : result.error.issues).map((issue) => {
      const isMissing = issue.code === "invalid_type" && / received undefined$/.test(issue.message);
      return `${issue.path.join(".")}: ${isMissing ? "is required but not set" : issue.message}`;
    }),
    ...crossChecks(cleaned),
  ];
  if (!result.success || problems.length > 0) {
    const list = problems.map((problem) => `  - ${problem}`).join("\n");
    throw new Error(`Invalid configuration. Fix these environment variables and start again:\n${list}`);
  }
  return result.data;
}
