import { createHash } from "node:crypto";

/**
 * A job id derived from what the job does (a UUID shape over a SHA-256): pg-boss ignores a second
 * job with the same id, so work queued twice (a job run again, a repeated trigger) happens once.
 */
export function jobIdFor(...parts: string[]): string {
  const hex = createHash("sha256").update(parts.join("\n")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
