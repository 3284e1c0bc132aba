import "server-only";
import type { AccessProvider } from "../access-provider";
import type { Grant } from "@/lib/config/catalog-schema";
import { armPimProvider } from "./arm-pim";
import { armRoleAssignmentProvider } from "./arm-role-assignment";
import { entraGroupProvider } from "./entra-group";
import { entraPimGroupProvider } from "./entra-pim-group";

/** The provider for each kind of catalog grant: the one place that chooses an implementation. */
const PROVIDERS: Record<Grant["kind"], AccessProvider> = {
  entraPimGroup: entraPimGroupProvider,
  entraGroup: entraGroupProvider,
  armPim: armPimProvider,
  armRoleAssignment: armRoleAssignmentProvider,
};

export function providerFor(kind: Grant["kind"]): AccessProvider {
  return PROVIDERS[kind];
}
