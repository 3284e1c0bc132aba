/**
 * The grant ledger's rules, pure: one current grant per person and binding, covered by one or more
 * requests, each cover with its own end. A grant lasts as long as its longest cover, so two
 * overlapping requests never remove each other's access early. lib/access/grant-ledger.ts keeps
 * these rows in PostgreSQL and asks these functions what their ends become.
 */

const later = (a: Date, b: Date) => (a.getTime() >= b.getTime() ? a : b);

/**
 * A request covers a grant until `requestedEnd`: the grant's end becomes the later of the two.
 * Covering (activating, extending) never moves an end in; `current` is absent for a new grant.
 */
export function endWhenCovered(current: Date | undefined, requestedEnd: Date): Date {
  return current ? later(current, requestedEnd) : requestedEnd;
}

export type Withdrawal =
  /** other requests still cover the grant: it ends with the latest of their ends */
  | { isOrphan: false; endAt: Date }
  /** nobody covers it any more: it ends now, and is due for removal */
  | { isOrphan: true; endAt: Date };

/**
 * A request stops covering a grant (it ended early, or its activation failed). `otherEnds` are the
 * ends of the covers left: the grant keeps the latest of them, even when that is later than its end
 * today or earlier than the withdrawn cover's; with none left it is an orphan that ends `now`.
 */
export function endAfterWithdrawal(otherEnds: readonly Date[], now: Date): Withdrawal {
  if (otherEnds.length === 0) return { isOrphan: true, endAt: now };
  return { isOrphan: false, endAt: otherEnds.reduce(later) };
}
