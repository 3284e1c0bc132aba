import "server-only";
import type { AccessProvider } from "../access-provider";
import type { Grant } from "@/lib/config/catalog-schema";
import { armPimProvider } from "./arm-pim";
import { armRoleAssignmentProvider } from "./arm-role-assignment";
import { entraGroupProvider } from "./entra-group";
import { entraPimGroupProvider } from "./entra-pim-group";

type Providers = Record<Grant["kind"], AccessProvider>;

/** The provider for each kind of catalog grant: the one place that chooses an implementation. */
const PROVIDERS: Providers = {
  entraPimGroup: entraPimGroupProvider,
  entraGroup: entraGroupProvider,
  armPim: armPimProvider,
  armRoleAssignment: armRoleAssignmentProvider,
};

let current: Providers = PROVIDERS;

export function providerFor(kind: Grant["kind"]): AccessProvider {
  return current[kind];
}

/**
 * Puts other implementations of some grant kinds in place for this process, and returns what puts
 * the previous ones back. For tests that drive the use cases' branches with an in-memory provider
 * (test/support/fake-access-provider.ts); the app itself always runs the real ones.
 */
export function useProviders(replacements: Partial<Providers>): () => void {
  const previous = current;
  current = { ...current, ...replacements };
  return () => {
    current = previous;
  };
}
