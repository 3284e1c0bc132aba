import type { GrantView } from "@/lib/access/grant-queries";

/** What each kind of grant is, in the words the access catalog section uses. */
export const GRANT_KIND_WORDS: Record<GrantView["kind"], string> = {
  entraPimGroup: "PIM group membership (Entra ID)",
  entraGroup: "Group membership (Entra ID)",
  armPim: "PIM role assignment (Azure)",
  armRoleAssignment: "Role assignment (Azure)",
};
