import "server-only";
import { authorize } from "@/lib/auth/authorize";
import { searchDirectoryPeople, type DirectoryPerson } from "@/lib/cloud/directory";
import type { SessionUser } from "@/lib/context";

/** At most this many people per answer: a picker shows a handful, the person types more to narrow. */
export const PEOPLE_LIMIT = 8;

/**
 * People whose name or UPN starts with `query`, for the Audit page's "Involving" picker. Auditors
 * and admins only, like the search it feeds. Fewer than 2 characters find nobody: a single letter
 * would list the directory.
 */
export async function findPeople(viewer: SessionUser, query: string): Promise<DirectoryPerson[]> {
  authorize(viewer, "audit.read");
  const prefix = query.trim().slice(0, 100);
  if (prefix.length < 2) return [];
  return searchDirectoryPeople(prefix, PEOPLE_LIMIT);
}
