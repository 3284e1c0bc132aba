/* The emulator's directory: the demo tenant's users, groups and app registrations, loaded from
 * tenant.json (or another seed file) and held in memory while the emulator runs. */
import { readFileSync } from "node:fs";
import { z } from "zod";

const ZSeed = z.object({
  tenant: z.object({ id: z.guid(), displayName: z.string(), domain: z.string() }),
  applications: z
    .array(
      z.object({
        appId: z.guid(),
        servicePrincipalId: z.guid(),
        displayName: z.string(),
        clientSecret: z.string().min(1),
        redirectUris: z.array(z.url()),
        groupMembershipClaims: z.enum(["None", "SecurityGroup", "All"]).default("SecurityGroup"),
        appRoles: z.array(z.string()).default([]),
      }),
    )
    .min(1),
  users: z.array(
    z.object({
      id: z.guid(),
      userPrincipalName: z.string().includes("@"),
      displayName: z.string(),
      givenName: z.string().optional(),
      surname: z.string().optional(),
      jobTitle: z.string().optional(),
      accountEnabled: z.boolean().default(true),
    }),
  ),
  groups: z.array(
    z.object({
      id: z.guid(),
      displayName: z.string(),
      description: z.string().default(""),
      /** UPNs of users, or display names of nested groups */
      members: z.array(z.string()),
    }),
  ),
});

export type Seed = z.infer<typeof ZSeed>;
export type Application = Seed["applications"][number];
export type DirectoryUser = Seed["users"][number];
export interface DirectoryGroup {
  id: string;
  displayName: string;
  description: string;
  /** object ids of direct members (users or groups) */
  members: string[];
}

export class Tenant {
  readonly id: string;
  readonly displayName: string;
  readonly domain: string;
  readonly applications: Application[];
  readonly users: DirectoryUser[];
  readonly groups: DirectoryGroup[];

  constructor(seed: Seed) {
    this.id = seed.tenant.id;
    this.displayName = seed.tenant.displayName;
    this.domain = seed.tenant.domain;
    this.applications = seed.applications;
    this.users = seed.users;
    const byUpn = new Map(seed.users.map((u) => [u.userPrincipalName.toLowerCase(), u.id]));
    const byGroupName = new Map(seed.groups.map((g) => [g.displayName, g.id]));
    this.groups = seed.groups.map((g) => ({
      id: g.id,
      displayName: g.displayName,
      description: g.description,
      members: g.members.map((ref) => {
        const id = byUpn.get(ref.toLowerCase()) ?? byGroupName.get(ref);
        if (!id) throw new Error(`tenant seed: group "${g.displayName}" lists unknown member "${ref}"`);
        return id;
      }),
    }));
  }

  static fromFile(path: string): Tenant {
    const parsed = ZSeed.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!parsed.success) {
      throw new Error(`tenant seed ${path} is invalid:\n${z.prettifyError(parsed.error)}`);
    }
    return new Tenant(parsed.data);
  }

  /** Accepts what Entra accepts in an authority path: the tenant id, its domain, or a multi-tenant alias. */
  matchesAuthorityTenant(segment: string): boolean {
    const s = segment.toLowerCase();
    return s === this.id || s === this.domain || s === "organizations" || s === "common";
  }

  application(clientId: string): Application | undefined {
    return this.applications.find((a) => a.appId === clientId);
  }

  user(idOrUpn: string): DirectoryUser | undefined {
    const key = idOrUpn.toLowerCase();
    return this.users.find((u) => u.id === key || u.userPrincipalName.toLowerCase() === key);
  }

  /** Groups the object belongs to, directly or through nested groups (Graph transitiveMemberOf). */
  transitiveGroupsOf(objectId: string): DirectoryGroup[] {
    const found = new Map<string, DirectoryGroup>();
    const pending = [objectId];
    while (pending.length > 0) {
      const member = pending.pop()!;
      for (const group of this.groups) {
        if (group.members.includes(member) && !found.has(group.id)) {
          found.set(group.id, group);
          pending.push(group.id);
        }
      }
    }
    return [...found.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
  }
}
