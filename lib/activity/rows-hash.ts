import { createHash } from "node:crypto";
import { canonicalJson } from "@/lib/audit/chain";
import type { CountRow, ListedRow } from "./rows";

/**
 * A fingerprint of every row a summary is built from: sha256 (hex) over the canonical JSON (sorted
 * keys, lib/audit/chain.ts) of the count groups merged over the window's slices, in key order, then
 * the listed calls, oldest first. The same rows in any order of slices or answers give the same hash,
 * so an auditor who runs the queries again over the whole window can compare.
 */
export function rowsHash(counts: readonly CountRow[], listed: readonly ListedRow[]): string {
  const rows = [
    ...[...counts].sort(compareCounts).map((row) => ({ kind: "count", ...row })),
    ...[...listed].sort(compareListed).map((row) => ({ kind: "call", ...row })),
  ];
  return createHash("sha256").update(canonicalJson(rows)).digest("hex");
}

export function countKey(row: Omit<CountRow, "calls">): string {
  return JSON.stringify([row.verb, row.resource, row.subresource, row.namespace, row.code, row.afterEnd]);
}

function compareCounts(a: CountRow, b: CountRow) {
  const [x, y] = [countKey(a), countKey(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareListed(a: ListedRow, b: ListedRow) {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  const [x, y] = [canonicalJson(a), canonicalJson(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
