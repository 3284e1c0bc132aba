/**
 * PIM keeps an active assignment for at least 5 minutes: removing it (Graph adminRemove /
 * selfDeactivate, ARM AdminRemove / SelfDeactivate) sooner is refused with 400
 * `ActiveDurationTooShort`, "The Active duration is too short. Miniumum Required is 5 minutes."
 * UNCERTAIN: no Microsoft doc states the rule; the evidence is the service's answer as PIM clients
 * observe and handle it (third-party ARM PIM and Graph clients: "must be active for at least 5 minutes
 * before it can be deactivated"; shared reference azure-contracts.md, A.8 "PIM error codes"),
 * measured from the assignment's start.
 */
export const PIM_MINIMUM_ACTIVE_MS = 5 * 60_000;

/** The earliest moment PIM lets an assignment that started at `start` be removed. */
export function earliestRemovalOf(start: Date): Date {
  return new Date(start.getTime() + PIM_MINIMUM_ACTIVE_MS);
}
