/* The demo tenant plus many requesters, so that hundreds of requests come from as many people (one
 * person's requests would share their grants). Each is a member of `default`, so eligible for every role. */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { Tenant, type Seed } from "../../emulator/tenant";
import { DEMO_TENANT_FILE } from "../../scripts/lib/demo-env";

export interface Person {
  id: string;
  userPrincipalName: string;
}

export interface ReplicaTenant {
  tenant: Tenant;
  requesters: Person[];
  /** the members of the catalog's approver group (the demo's n02 and p01) */
  approvers: Person[];
}

/** Writes the seed to `file` (the emulator reads seeds from files) and returns the tenant and its people. */
export function tenantWithRequesters(file: string, count: number): ReplicaTenant {
  const seed = JSON.parse(readFileSync(DEMO_TENANT_FILE, "utf8")) as Seed;
  const requesters = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, "0");
    return {
      id: randomUUID(),
      userPrincipalName: `r${n}@${seed.tenant.domain}`,
      displayName: `Requester ${n}`,
      accountEnabled: true,
    };
  });
  seed.users.push(...requesters);
  const everyone = seed.groups.find((group) => group.displayName === "default");
  if (!everyone) throw new Error("the demo tenant has no `default` group");
  everyone.members.push(...requesters.map((r) => r.userPrincipalName));
  writeFileSync(file, JSON.stringify(seed));
  const tenant = Tenant.fromFile(file);
  const approverGroup = tenant.groups.find((group) => group.displayName === "approver");
  const approvers = (approverGroup?.members ?? []).map((id) => tenant.user(id)!).filter(Boolean);
  const person = ({ id, userPrincipalName }: Person) => ({ id, userPrincipalName });
  return { tenant, requesters: requesters.map(person), approvers: approvers.map(person) };
}

/** Hands out people who never requested anything before, so that each scenario counts only its own calls. */
export class People {
  private next = 0;
  constructor(private readonly all: Person[]) {}

  take(count: number): Person[] {
    if (this.next + count > this.all.length) throw new Error(`only ${this.all.length - this.next} requesters left`);
    this.next += count;
    return this.all.slice(this.next - count, this.next);
  }
}
