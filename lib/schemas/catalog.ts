/** What the caller may request: the clusters and roles they are eligible for, each with its policy. */
import { z } from "zod";
import { ZRolePolicy } from "@/lib/domain/policy-schema";

export const ZCatalogRole = z.strictObject({ name: z.string(), description: z.string(), policy: ZRolePolicy });

export const ZCatalogCluster = z.strictObject({
  name: z.string(),
  displayName: z.string(),
  environment: z.string(),
  roles: z.array(ZCatalogRole),
});

export const ZCatalog = z.strictObject({
  clusters: z
    .array(ZCatalogCluster)
    .meta({ description: "Only clusters with at least one role the caller is eligible for." }),
});

export type EligibleCluster = z.output<typeof ZCatalogCluster>;
