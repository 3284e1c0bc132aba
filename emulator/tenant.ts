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
        /**
         * The "Single-page application" platform's redirect URIs: codes sent there are redeemed by the
         * browser itself, without a secret, cross-origin and with PKCE (msal-browser's popup for step-up).
         */
        spaRedirectUris: z.array(z.url()).default([]),
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
  /** object ids of direct members (users or groups) as Graph lists them now: assigned ones, then time-bound ones */
  readonly members: readonly string[];
}

/**
 * Members a service grants for a while (PIM for Groups: an active assignment is a membership, and
 * removing the member through the groups API ends the assignment; contract A.7 "Interaction with PIM").
 * Asked on every read, so time-bound memberships end without timers.
 */
export interface MembershipSource {
  membersOf(groupId: string): string[];
  /** ends the membership this source gives, if any; true when there was one */
  removeMember(groupId: string, objectId: string): boolean;
}

export class Tenant {
  readonly id: string;
  readonly displayName: string;
  readonly domain: string;
  readonly applications: Application[];
  readonly users: DirectoryUser[];
  readonly groups: DirectoryGroup[];
  /** members added by the seed or through the groups API (`members/$ref`), by group id */
  private readonly assigned = new Map<string, string[]>();
  private readonly membershipSources: MembershipSource[] = [];

  constructor(seed: Seed) {
    this.id = seed.tenant.id;
    this.displayName = seed.tenant.displayName;
    this.domain = seed.tenant.domain;
    this.applications = seed.applications;
    this.users = seed.users;
    const byUpn = new Map(seed.users.map((u) => [u.userPrincipalName.toLowerCase(), u.id]));
    const byGroupName = new Map(seed.groups.map((g) => [g.displayName, g.id]));
    for (const g of seed.groups) {
      const members = g.members.map((ref) => {
        const id = byUpn.get(ref.toLowerCase()) ?? byGroupName.get(ref);
        if (!id) throw new Error(`tenant seed: group "${g.displayName}" lists unknown member "${ref}"`);
        return id;
      });
      this.assigned.set(g.id, members);
    }
    const membersOf = (groupId: string) => this.membersOf(groupId);
    this.groups = seed.groups.map((g) => ({
      id: g.id,
      displayName: g.displayName,
      description: g.description,
      get members() {
        return membersOf(g.id);
      },
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

  group(id: string): DirectoryGroup | undefined {
    const key = id.toLowerCase();
    return this.groups.find((g) => g.id === key);
  }

  /** A user or group by object id only: PIM and `$ref` bodies name objects by id, never by UPN. */
  directoryObject(
    id: string,
  ): { kind: "user"; user: DirectoryUser } | { kind: "group"; group: DirectoryGroup } | undefined {
    const key = id.toLowerCase();
    const user = this.users.find((u) => u.id === key);
    if (user) return { kind: "user", user };
    const group = this.group(key);
    return group ? { kind: "group", group } : undefined;
  }

  addMembershipSource(source: MembershipSource) {
    this.membershipSources.push(source);
  }

  /** Direct members added by the seed or the groups API, without time-bound ones. */
  assignedMembersOf(groupId: string): readonly string[] {
    return this.assigned.get(groupId) ?? [];
  }

  /** Direct members now: assigned ones first, then those the membership sources grant. */
  membersOf(groupId: string): string[] {
    const members = new Set(this.assignedMembersOf(groupId));
    for (const source of this.membershipSources) for (const id of source.membersOf(groupId)) members.add(id);
    return [...members];
  }

  /** Adds a direct member; false when the object is already a member (however it became one). */
  addMember(groupId: string, objectId: string): boolean {
    const assigned = this.assigned.get(groupId);
    if (!assigned || this.membersOf(groupId).includes(objectId)) return false;
    assigned.push(objectId);
    return true;
  }

  /** Removes a direct member, ending time-bound memberships too; false when it was not a member. */
  removeMember(groupId: string, objectId: string): boolean {
    const assigned = this.assigned.get(groupId);
    if (!assigned) return false;
    const index = assigned.indexOf(objectId);
    if (index >= 0) assigned.splice(index, 1);
    let removed = index >= 0;
    for (const source of this.membershipSources) removed = source.removeMember(groupId, objectId) || removed;
    return removed;
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
