/* PIM for Groups on Microsoft Graph v1.0 for the demo tenant (contract A.2–A.4, A.6, A.8, E.5, E.7):
 * assignment schedule requests for the admin actions, schedules and instances, the seed's
 * eligibilities, and a default role management policy per group and relationship that every
 * request is checked against. */
import type { EmulatorContext } from "../context";
import type { Router } from "../http";
import { registerCollections } from "./collections";
import { GroupPolicies } from "./policies";
import { registerPolicies } from "./policy-routes";
import { type PimState, registerScheduleRequests } from "./schedule-requests";
import { GroupAssignments } from "./schedules";

export function registerGraphPim(router: Router, ctx: EmulatorContext) {
  const pim: PimState = {
    ctx,
    assignments: new GroupAssignments(ctx),
    policies: new GroupPolicies(ctx),
    requests: [],
  };
  pim.assignments.register();
  registerScheduleRequests(router, pim);
  registerCollections(router, pim);
  registerPolicies(router, ctx, pim.policies);
}
