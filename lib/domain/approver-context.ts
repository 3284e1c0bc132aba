/**
 * What an approver needs to see beside a request to decide it: the ticket as a link, the
 * requester's requests that overlap this one, who has approved and who else may, and what a role
 * grants in words. Pure: `now` is an argument, the people come from the caller.
 */
import { overlaps, windowOf, type OpenRequest } from "./open-requests";
import { isActive, isTerminal } from "./request-status";
import type { RequestViewer } from "./affordances";

// ---------------------------------------------------------------------------------------------
// Ticket links

/** What a ticket template must hold: the place the ticket goes. */
export const TICKET_PLACEHOLDER = "{ticket}";

/** Why a `ticket.urlTemplate` cannot be used, or null when it can. */
export function ticketTemplateProblem(template: string): string | null {
  if (!template.includes(TICKET_PLACEHOLDER)) return `must contain ${TICKET_PLACEHOLDER}, where the ticket goes`;
  return httpUrl(template.replaceAll(TICKET_PLACEHOLDER, "INC1")) ? null : "must be an http:// or https:// URL";
}

function httpUrl(text: string): string | null {
  try {
    const url = new URL(text);
    // Anything else (javascript:, data:, file:) would run or open something other than a ticket page.
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The ticket's page, from the catalog's template with the ticket URL-encoded; null without a usable template. */
export function ticketUrl(template: string | undefined, ticket: string | null): string | null {
  if (!template || !ticket || ticketTemplateProblem(template)) return null;
  return httpUrl(template.replaceAll(TICKET_PLACEHOLDER, encodeURIComponent(ticket)));
}

// ---------------------------------------------------------------------------------------------
// Overlaps

export interface ContextRequest extends OpenRequest {
  clusterName: string;
  roleName: string;
}

/**
 * The requester's other requests for the same role on the same cluster whose access period meets
 * this one's: access they already hold (`active`) or have asked for (`open`). Ended ones are history.
 */
export function findOverlaps(
  subject: ContextRequest,
  others: readonly ContextRequest[],
  now: Date,
): Array<{ request: ContextRequest; kind: "active" | "open" }> {
  const wanted = windowOf(subject, now);
  return others
    .filter(
      (other) =>
        other.id !== subject.id &&
        other.clusterName === subject.clusterName &&
        other.roleName === subject.roleName &&
        !isTerminal(other.status) &&
        overlaps(windowOf(other, now), wanted),
    )
    .map((request) => ({ request, kind: isActive(request.status) ? ("active" as const) : ("open" as const) }));
}

// ---------------------------------------------------------------------------------------------
// Quorum

export interface Person {
  id: string;
  displayName: string;
}

export interface Quorum {
  required: number;
  approvedBy: string[];
  moreNeeded: number;
  /** who else may approve: the approver groups' members, less the requester and those who approved */
  others: string[];
}

export function quorumOf(input: {
  approvalsRequired: number;
  approvers: readonly Person[];
  candidates: readonly Person[];
  requesterId: string;
}): Quorum {
  const decided = new Set(input.approvers.map((p) => p.id));
  const others = input.candidates
    .filter((p) => p.id !== input.requesterId && !decided.has(p.id))
    .map((p) => p.displayName)
    .sort((a, b) => a.localeCompare(b));
  return {
    required: input.approvalsRequired,
    approvedBy: input.approvers.map((p) => p.displayName),
    moreNeeded: Math.max(0, input.approvalsRequired - input.approvers.length),
    others: [...new Set(others)],
  };
}

const MAX_NAMES = 5;

function listNames(names: readonly string[]): string {
  if (names.length <= MAX_NAMES) return names.join(", ");
  return `${names.slice(0, MAX_NAMES).join(", ")} and ${names.length - MAX_NAMES} more`;
}

const approvals = (n: number) => `${n} approval${n === 1 ? "" : "s"}`;

/**
 * The quorum in one line: "2 approvals required: approved by Priya Raman; 1 more needed from
 * approver (Noah Schmidt, …)". `groups` names the approver groups; `others` is null when the
 * directory could not be read.
 */
export function describeQuorum(quorum: Quorum, groups: readonly string[], isDirectoryRead = true): string {
  if (quorum.required === 0) return "No approval needed: the role is activated by policy.";
  const head = `${approvals(quorum.required)} required: ${
    quorum.approvedBy.length > 0 ? `approved by ${quorum.approvedBy.join(", ")}` : "none yet"
  }`;
  if (quorum.moreNeeded === 0) return `${head}; complete.`;
  const from = groups.length > 0 ? ` from ${groups.join(", ")}` : "";
  const who = !isDirectoryRead
    ? " (the directory could not be read to name them)"
    : quorum.others.length > 0
      ? ` (${listNames(quorum.others)})`
      : " (nobody else is in the group: ask an admin to add approvers)";
  return `${head}; ${quorum.moreNeeded} more needed${from}${who}.`;
}

// ---------------------------------------------------------------------------------------------
// Who sees it, and what a role grants

/**
 * The approver context (the requester's other access, who else may approve) is for those who decide
 * or audit someone else's request, never for the requester: an approver of the request's groups,
 * or an auditor.
 */
export function maySeeApproverContext(
  viewer: RequestViewer,
  request: { requesterId: string; approverGroupIds: readonly string[] },
): boolean {
  if (viewer.id === request.requesterId) return false;
  if (viewer.permissions.includes("audit.read")) return true;
  if (!viewer.permissions.includes("request.approve")) return false;
  const routed = new Set(request.approverGroupIds.map((id) => id.toLowerCase()));
  return viewer.groupIds.some((id) => routed.has(id.toLowerCase()));
}

/** What a grant of the catalog is, as far as words go (lib/config/catalog-schema.ts has the full type). */
export type GrantShape = { kind: string; roleDefinitionId?: string; scope?: string };

/** Azure's built-in roles AKS JIT is used with, in the words an approver reads. */
const ROLE_WORDS: Record<string, string> = {
  "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b": "Kubernetes cluster-admin on every namespace",
  "3498e952-d568-435e-9b2c-8d77e338d7f7": "Kubernetes admin in every namespace, except the cluster's own resources",
  "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb": "Kubernetes read and write of most objects in every namespace",
  "7f6c6a51-bcf8-42ba-9220-52d62157d7db": "Kubernetes read-only access to most objects in every namespace",
  "fb879df8-f326-4884-b1cf-06f3ad86be52": "SSH to the cluster's nodes as an Entra user",
  "1c0163c0-47e6-4577-8991-ea5c82e286e4": "SSH to the cluster's nodes as an Entra user with sudo (administrator)",
};

/** A role's description when the catalog gives none: what its Azure roles let the holder do. */
export function describeGrants(grants: readonly GrantShape[]): string {
  const words = grants.flatMap((grant) => {
    if (!grant.roleDefinitionId) return [];
    const known = ROLE_WORDS[grant.roleDefinitionId.toLowerCase()];
    const at = grant.scope === "nodeResourceGroup" ? "the node resource group" : "the cluster";
    return [known ?? `The Azure role ${grant.roleDefinitionId} on ${at}`];
  });
  if (words.length === 0) return "Membership of an Entra group, with whatever that group is given";
  return [...new Set(words)].join("; ");
}
