/** One access currently granted, as the API shows it: `GrantView`. */
import { z } from "zod";
import { instant, nullableInstant, ZPerson } from "./fields";
import { ZRequestStatus } from "./request-view";

const GRANT_KINDS = {
  entraPimGroup: "time-bound PIM membership of an Entra group",
  entraGroup: "plain membership of an Entra group",
  armPim: "time-bound PIM role assignment in Azure",
  armRoleAssignment: "plain Azure role assignment",
};

export const ZGrantKind = z.enum(Object.keys(GRANT_KINDS) as Array<keyof typeof GRANT_KINDS>).meta({
  description: Object.entries(GRANT_KINDS)
    .map(([kind, words]) => `\`${kind}\`: ${words}`)
    .join("; "),
});

export const ZGrantView = z
  .strictObject({
    id: z.guid(),
    kind: ZGrantKind,
    bindingKey: z.string().meta({
      description: "What is granted: the kind and the group, or the kind, role definition and scope.",
    }),
    holder: ZPerson,
    endAt: instant("When the grant ends: the latest end of the requests it covers."),
    effectiveEndAt: instant(
      "`endAt` plus the longest lifetime of access tokens issued before it: when it is surely unusable.",
    ),
    appliedAt: nullableInstant("When the service confirmed it; null: not applied yet."),
    requests: z
      .array(
        z.strictObject({
          id: z.guid(),
          clusterName: z.string(),
          roleName: z.string(),
          status: ZRequestStatus,
          endAt: instant("When this request's share of the grant ends."),
        }),
      )
      .meta({ description: "The requests this grant serves, soonest end first." }),
  })
  .meta({
    description:
      "One access currently granted to one person at Entra ID or Azure. Overlapping requests for the same access share one grant, which lasts until the last of them ends.",
  });

export const ZGrantList = z.strictObject({ grants: z.array(ZGrantView) });

export type GrantView = z.output<typeof ZGrantView>;
