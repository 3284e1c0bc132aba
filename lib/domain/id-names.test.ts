import { describe, expect, it } from "vitest";
import { idsIn, nameIds } from "./id-names";

const NADIA = "7D2F0C4E-1111-4222-8333-944445555666";
const GROUP = "ffdebc24-7be9-4b76-887f-3a12aae9aada";
const names = new Map([
  [NADIA.toLowerCase(), "Nadia Okafor"],
  [GROUP, "admin (aks-prod-weu)"],
]);

describe("object ids in words", () => {
  it("finds each id once, whatever its case", () => {
    expect(idsIn([`${NADIA} and ${GROUP}`, NADIA.toLowerCase(), null])).toEqual([NADIA.toLowerCase(), GROUP]);
  });

  it("names the ids it knows and leaves the others", () => {
    const text = `Entra ID refused to make ${NADIA} a member of group ${GROUP} (request 0b1f6471-1bf0-4dda-aec3-111122223333).`;
    expect(nameIds(text, names)).toBe(
      "Entra ID refused to make Nadia Okafor a member of group admin (aks-prod-weu) (request 0b1f6471-1bf0-4dda-aec3-111122223333).",
    );
  });
});
