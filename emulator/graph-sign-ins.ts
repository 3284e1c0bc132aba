/* Microsoft Graph's sign-in logs, for the node sign-ins of AKS JIT's activity summaries (issue 19):
 * GET /v1.0/auditLogs/signIns (https://learn.microsoft.com/graph/api/signin-list) with `$filter`,
 * `$top` (default and maximum 1,000) and `@odata.nextLink`, most recent first; application permission
 * AuditLog.Read.All (graph-permissions.ts). The filterable properties and operators are those the
 * signIn resource lists (https://learn.microsoft.com/graph/api/resources/signin): id, userId, appId,
 * resourceId, createdDateTime (eq, ge, le, gt, lt), status/errorCode (eq, ne), userPrincipalName,
 * appDisplayName, resourceDisplayName, ipAddress (eq, startsWith), clientAppUsed,
 * conditionalAccessStatus (eq), joined with `and`; anything else is refused as Graph does.
 *
 * A node login with `az ssh vm` signs the user in to the Azure Linux VM Sign-In application
 * (appId ce6ff14a-7fdc-4685-bbe0-f6afdfcfa8e0: https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-linux)
 * from the Azure CLI (04b07795-8ddb-461a-bbee-02f9e1bf7b46): the sign-in's app is the CLI, its
 * resource the VM sign-in application. POST /_emulator/sign-ins records one. */
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import type { EmulatorContext } from "./context";
import { authenticated } from "./graph";
import { type Router, sendGraphError, sendJson } from "./http";

export const LINUX_VM_SIGN_IN_APP_ID = "ce6ff14a-7fdc-4685-bbe0-f6afdfcfa8e0";
export const LINUX_VM_SIGN_IN_APP_NAME = "Azure Linux VM Sign-In";
export const AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
export const AZURE_CLI_APP_NAME = "Microsoft Azure CLI";
const PAGE_SIZE = 1000;

export interface SignInRecord {
  id: string;
  createdDateTime: string;
  userDisplayName: string;
  userPrincipalName: string;
  userId: string;
  appId: string;
  appDisplayName: string;
  ipAddress: string;
  clientAppUsed: string;
  correlationId: string;
  conditionalAccessStatus: "success" | "failure" | "notApplied";
  isInteractive: boolean;
  riskDetail: string;
  riskLevelAggregated: string;
  riskLevelDuringSignIn: string;
  riskState: string;
  riskEventTypes_v2: string[];
  resourceDisplayName: string;
  resourceId: string;
  status: { errorCode: number; failureReason: string | null; additionalDetails: string | null };
  deviceDetail: {
    deviceId: string;
    displayName: string;
    operatingSystem: string;
    browser: string;
    isCompliant: boolean;
    isManaged: boolean;
    trustType: string;
  };
  location: { city: string; state: string; countryOrRegion: string };
  appliedConditionalAccessPolicies: unknown[];
}

/** Entra's failure reasons for the codes tests use (https://learn.microsoft.com/entra/identity-platform/reference-error-codes). */
const FAILURE_REASONS: Record<number, string> = {
  50126: "Error validating credentials due to invalid username or password.",
  50053: "The account is locked, you've tried to sign in too many times with an incorrect user ID or password.",
  50105:
    "Your administrator has configured the application to block users unless they are specifically granted ('assigned') access to the application.",
  53003: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
  50076:
    "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
};

type Predicate = (s: SignInRecord) => boolean;

class FilterError extends Error {}

const FILTERABLE: Record<string, { ops: readonly string[]; get: (s: SignInRecord) => string | number }> = {
  id: { ops: ["eq"], get: (s) => s.id },
  userId: { ops: ["eq"], get: (s) => s.userId },
  appId: { ops: ["eq"], get: (s) => s.appId },
  resourceId: { ops: ["eq"], get: (s) => s.resourceId },
  createdDateTime: { ops: ["eq", "ge", "le", "gt", "lt"], get: (s) => Date.parse(s.createdDateTime) },
  "status/errorCode": { ops: ["eq", "ne"], get: (s) => s.status.errorCode },
  userPrincipalName: { ops: ["eq", "startswith"], get: (s) => s.userPrincipalName },
  appDisplayName: { ops: ["eq", "startswith"], get: (s) => s.appDisplayName },
  resourceDisplayName: { ops: ["eq", "startswith"], get: (s) => s.resourceDisplayName },
  ipAddress: { ops: ["eq", "startswith"], get: (s) => s.ipAddress },
  clientAppUsed: { ops: ["eq"], get: (s) => s.clientAppUsed },
  conditionalAccessStatus: { ops: ["eq"], get: (s) => s.conditionalAccessStatus },
};

/** `$filter` of clauses joined by `and`: `prop op value` or `startsWith(prop, 'value')`, parentheses allowed. */
export function parseSignInFilter(text: string): Predicate {
  const clauses = text
    .split(/\s+and\s+/i)
    .map((c) => {
      // Grouping parentheses around clauses go; a function call's own stay.
      let clause = c.trim().replace(/^\(+/, "");
      const count = (ch: string) => clause.split(ch).length - 1;
      while (clause.endsWith(")") && count(")") > count("(")) clause = clause.slice(0, -1).trimEnd();
      return clause.trim();
    })
    .filter(Boolean);
  if (/\s+or\s+/i.test(text)) throw new FilterError("The 'or' operator is not supported on signIns.");
  const predicates = clauses.map((clause): Predicate => {
    const call = /^startswith\(\s*([\w/]+)\s*,\s*'((?:[^']|'')*)'\s*\)$/i.exec(clause);
    const binary = /^([\w/]+)\s+(eq|ne|ge|le|gt|lt)\s+(.+)$/i.exec(clause);
    const [property, op, raw] = call
      ? [call[1]!, "startswith", `'${call[2]!}'`]
      : binary
        ? [binary[1]!, binary[2]!.toLowerCase(), binary[3]!.trim()]
        : [undefined, undefined, undefined];
    if (!property || !op || raw === undefined) throw new FilterError(`Invalid filter clause: ${clause}`);
    const field = Object.entries(FILTERABLE).find(([name]) => name.toLowerCase() === property.toLowerCase())?.[1];
    if (!field || !field.ops.includes(op)) {
      throw new FilterError(`Unsupported filter: '${op}' on '${property}' is not supported.`);
    }
    const quoted = /^'((?:[^']|'')*)'$/.exec(raw);
    let value: string | number;
    if (property.toLowerCase() === "createddatetime") {
      value = Date.parse(quoted ? quoted[1]! : raw);
      if (Number.isNaN(value)) throw new FilterError(`Invalid date-time in filter: ${raw}`);
    } else if (property.toLowerCase() === "status/errorcode") {
      value = Number(raw);
      if (!Number.isInteger(value)) throw new FilterError(`Invalid number in filter: ${raw}`);
    } else {
      value = quoted ? quoted[1]!.replaceAll("''", "'") : raw;
    }
    return (s) => {
      const v = field.get(s);
      if (typeof v === "string" && typeof value === "string") {
        const [a, b] = [v.toLowerCase(), value.toLowerCase()];
        return op === "startswith" ? a.startsWith(b) : op === "ne" ? a !== b : a === b;
      }
      const [a, b] = [Number(v), Number(value)];
      return { eq: a === b, ne: a !== b, ge: a >= b, le: a <= b, gt: a > b, lt: a < b }[op as "eq"] ?? false;
    };
  });
  return (s) => predicates.every((p) => p(s));
}

export const ZSignInBody = z.object({
  user: z.string().min(1).max(253),
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "an ISO date-time"),
  /** the node signed in to (kept in the emulator's state only: the sign-in log does not name the VM) */
  node: z.string().max(253).optional(),
  errorCode: z.number().int().min(0).optional(),
  ipAddress: z.string().max(64).optional(),
});

export class SignInStore {
  readonly signIns: SignInRecord[] = [];
  readonly nodes = new Map<string, string>();

  add(record: SignInRecord, node?: string) {
    this.signIns.push(record);
    if (node) this.nodes.set(record.id, node);
  }
}

/** A deterministic id for a sign-in (the same inputs, the same id), in Entra's GUID form. */
function signInId(userId: string, at: string, seq: number) {
  const hex = createHash("sha256").update(`${userId}:${at}:${seq}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Records a node sign-in of a tenant user; undefined when the user is unknown. */
export function recordNodeSignIn(
  ctx: EmulatorContext,
  store: SignInStore,
  input: z.infer<typeof ZSignInBody>,
): SignInRecord | undefined {
  const user = ctx.tenant.user(input.user);
  if (!user) return undefined;
  const errorCode = input.errorCode ?? 0;
  const record: SignInRecord = {
    id: signInId(user.id, input.at, store.signIns.length),
    createdDateTime: new Date(input.at).toISOString().replace(/\.\d{3}Z$/, "Z"),
    userDisplayName: user.displayName,
    userPrincipalName: user.userPrincipalName,
    userId: user.id,
    appId: AZURE_CLI_APP_ID,
    appDisplayName: AZURE_CLI_APP_NAME,
    ipAddress: input.ipAddress ?? "203.0.113.24",
    clientAppUsed: "Mobile Apps and Desktop clients",
    correlationId: randomUUID(),
    conditionalAccessStatus: errorCode === 53003 ? "failure" : "notApplied",
    isInteractive: true,
    riskDetail: "none",
    riskLevelAggregated: "none",
    riskLevelDuringSignIn: "none",
    riskState: "none",
    riskEventTypes_v2: [],
    resourceDisplayName: LINUX_VM_SIGN_IN_APP_NAME,
    resourceId: LINUX_VM_SIGN_IN_APP_ID,
    status: {
      errorCode,
      failureReason: errorCode === 0 ? null : (FAILURE_REASONS[errorCode] ?? "Other."),
      additionalDetails: null,
    },
    deviceDetail: {
      deviceId: "",
      displayName: "",
      operatingSystem: "Linux",
      browser: "",
      isCompliant: false,
      isManaged: false,
      trustType: "",
    },
    location: { city: "Amsterdam", state: "Noord-Holland", countryOrRegion: "NL" },
    appliedConditionalAccessPolicies: [],
  };
  store.add(record, input.node);
  return record;
}

export function registerSignIns(router: Router, ctx: EmulatorContext, store: SignInStore) {
  router.on(
    "GET",
    "/v1.0/auditLogs/signIns",
    authenticated(ctx, (req, res) => {
      const q = req.url.searchParams;
      let predicate: Predicate = () => true;
      const filter = q.get("$filter");
      if (filter) {
        try {
          predicate = parseSignInFilter(filter);
        } catch (error) {
          if (!(error instanceof FilterError)) throw error;
          return sendGraphError(res, 400, "BadRequest", error.message);
        }
      }
      const topText = q.get("$top");
      const top = topText === null ? PAGE_SIZE : Number(topText);
      if (!Number.isInteger(top) || top < 1 || top > PAGE_SIZE) {
        return sendGraphError(
          res,
          400,
          "BadRequest",
          `Invalid page size specified: '${topText}'. Must be between 1 and ${PAGE_SIZE} inclusive.`,
        );
      }
      const skip = Number(q.get("$skiptoken") ?? 0) || 0;
      const all = store.signIns
        .filter(predicate)
        .sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime) || a.id.localeCompare(b.id));
      const page = all.slice(skip, skip + top);
      let nextLink: string | undefined;
      if (skip + top < all.length) {
        const next = new URL(`${ctx.baseUrl}${req.url.pathname}`);
        q.forEach((v, k) => k !== "$skiptoken" && next.searchParams.set(k, v));
        next.searchParams.set("$skiptoken", String(skip + top));
        nextLink = next.href;
      }
      sendJson(res, 200, {
        "@odata.context": `${ctx.baseUrl}/v1.0/$metadata#auditLogs/signIns`,
        value: page,
        ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
      });
    }),
  );
  router.on("POST", "/_emulator/sign-ins", (req, res) => {
    const parsed = ZSignInBody.safeParse(req.body);
    if (!parsed.success) {
      return sendJson(res, 400, { error: { code: "BadRequest", message: z.prettifyError(parsed.error) } });
    }
    const record = recordNodeSignIn(ctx, store, parsed.data);
    if (!record) return sendJson(res, 404, { error: { code: "NotFound", message: `no user is ${parsed.data.user}` } });
    sendJson(res, 201, record);
  });
  router.on("DELETE", "/_emulator/sign-ins", (_req, res) => {
    store.signIns.length = 0;
    store.nodes.clear();
    res.writeHead(204).end();
  });
  ctx.inspectors.push(() => ({ nodeSignIns: store.signIns.length }));
}
