/**
 * Drift: how the assignments a service reports for one binding differ from the grant ledger. Pure:
 * both lists and `now` come in; lib/access/reconcile-access.ts reads them and stores the findings.
 */

/** One person's access on a binding as the service reports it (lib/cloud's CurrentAssignment). */
export interface ServiceAssignment {
  principalId: string;
  /** null: permanent */
  endAt: Date | null;
  providerId?: string;
}

/** Grants this close to their start or end may legitimately disagree with the service for a moment. */
const SETTLING_MS = 2 * 60_000;

export interface DriftCandidate<B extends object> {
  kind: "unexplained" | "missing";
  bindingKey: string;
  /** the binding with the person: what Remove or Re-apply acts on */
  target: B & { principalId: string };
  principalId: string;
  grantId: string | null;
  providerId: string | null;
  endAt: Date | null;
}

/**
 * Compares one binding's assignments at the service with the ledger's active grants. Pure: the
 * two lists and `now` come in. Access nobody's active grant explains is "unexplained" (someone
 * added it by hand, or a removal was lost); an applied grant whose access is gone is "missing".
 */
export function compareBinding<B extends object>(input: {
  key: string;
  binding: B;
  assignments: ServiceAssignment[];
  grants: Array<{ id: string; principalId: string; endAt: Date; appliedAt: Date | null }>;
  now: Date;
}): Array<DriftCandidate<B>> {
  const { key, binding, now } = input;
  const holders = new Set(input.grants.map((g) => g.principalId.toLowerCase()));
  const present = new Set(input.assignments.map((a) => a.principalId.toLowerCase()));
  const found: Array<DriftCandidate<B>> = [];
  for (const assignment of input.assignments) {
    if (holders.has(assignment.principalId.toLowerCase())) continue;
    // Time-bound access that ends on its own in a moment (PIM) is not worth an alarm.
    if (assignment.endAt && assignment.endAt.getTime() - now.getTime() < SETTLING_MS) continue;
    found.push({
      kind: "unexplained",
      bindingKey: key,
      target: { ...binding, principalId: assignment.principalId },
      principalId: assignment.principalId,
      grantId: null,
      providerId: assignment.providerId ?? null,
      endAt: assignment.endAt,
    });
  }
  for (const grant of input.grants) {
    const isSettled =
      grant.appliedAt !== null &&
      now.getTime() - grant.appliedAt.getTime() > SETTLING_MS &&
      grant.endAt.getTime() - now.getTime() > SETTLING_MS;
    if (!isSettled || present.has(grant.principalId.toLowerCase())) continue;
    found.push({
      kind: "missing",
      bindingKey: key,
      target: { ...binding, principalId: grant.principalId },
      principalId: grant.principalId,
      grantId: grant.id,
      providerId: null,
      endAt: grant.endAt,
    });
  }
  return found;
}
