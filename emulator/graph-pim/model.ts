/* The PIM for Groups vocabulary every graph-pim module shares: paths, the CSDL enums, stable ids. */
import { createHash } from "node:crypto";

export const BASE = "/v1.0/identityGovernance/privilegedAccess/group";
export const CONTEXT_BASE = "identityGovernance/privilegedAccess/group";

// CSDL enum members (contract A.1: accept either case on input, emit these).
export const ACCESS_IDS = ["member", "owner"] as const;
export const ACTIONS = [
  "adminAssign",
  "adminUpdate",
  "adminRemove",
  "selfActivate",
  "selfDeactivate",
  "adminExtend",
  "adminRenew",
  "selfExtend",
  "selfRenew",
] as const;
export const EXPIRATION_TYPES = ["notSpecified", "noExpiration", "afterDateTime", "afterDuration"] as const;

export type AccessId = (typeof ACCESS_IDS)[number];
export type Action = (typeof ACTIONS)[number];
export type ExpirationType = (typeof EXPIRATION_TYPES)[number];

export function parseEnum<T extends string>(value: unknown, members: readonly T[]): T | undefined {
  if (typeof value !== "string") return undefined;
  return members.find((m) => m.toLowerCase() === value.toLowerCase());
}

/** A GUID derived from a name, so the demo's policy, permanent-assignment and eligibility ids survive restarts. */
export function stableGuid(name: string) {
  const hex = createHash("sha1").update(name).digest("hex");
  const variant = ((parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const iso = (date: Date | null) => (date ? date.toISOString() : null);
