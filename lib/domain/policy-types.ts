/**
 * A role's policy as the domain sees it: loaded from the access catalog (lib/config/catalog.ts),
 * evaluated by lib/domain/policy.ts. Durations are whole minutes. The fields are described once, on
 * the schema (policy-schema.ts).
 */
import type { z } from "zod";
import type { ZExtensionRule, ZRolePolicy, ZStepUpRule, ZTextRule } from "./policy-schema";

export type TextRule = z.output<typeof ZTextRule>;
export type RolePolicy = z.output<typeof ZRolePolicy>;
export type StepUpRule = z.output<typeof ZStepUpRule>;
export type ExtensionRule = z.output<typeof ZExtensionRule>;
