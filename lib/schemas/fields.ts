/** Field schemas the API's output schemas share. */
import { z } from "zod";

/** A moment as the API writes it: ISO 8601 in UTC (`Date.toISOString()`). */
export const instant = (description?: string) =>
  description ? z.iso.datetime().meta({ description }) : z.iso.datetime();

export const nullableInstant = (description: string) => z.iso.datetime().nullable().meta({ description });

/** A person as lists show them: the id in AKS JIT, their UPN and name from Entra ID. */
export const ZPerson = z.strictObject({
  id: z.guid(),
  userPrincipalName: z.string(),
  displayName: z.string(),
});
