/* The emulator's directory: the demo tenant's users, groups and app registrations, loaded from
 * tenant.json (or another seed file) and held in memory while the emulator runs. */
import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * One federated identity credential. At most 20 per application and exactly one audience
 * (MicrosoftDocs/azure-aks-docs articles/aks/workload-identity-overview.md; the resource's docs).
 */
export const ZFederatedIdentityCredential = z.object({
  name: z
    .string()
    .min(3)
    .max(120)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/),
  issuer: z.string().min(1),
  subject: z.string().min(1),
  audiences: z.array(z.string().min(1)).length(1),
  description: z.string().optional(),
});
export type FederatedIdentityCredential = z.infer<typeof ZFederatedIdentityCredential>;

/**
 * One AKS cluster's security settings as ARM answers them (emulator/arm-aks.ts), each optional: the
 * tenant seed's `azure.clusters` and the test knob PUT /_emulator/clusters/:name set only what differs.
 * Wire names of api-version 2025-10-01 (Azure/azure-rest-api-specs specification/containerservice,
 * ManagedClusterAADProfile, ManagedClusterAPIServerAccessProfile, ManagedClusterOIDCIssuerProfile,
 * ManagedClusterSecurityProfileWorkloadIdentity, AgentPoolSecurityProfile).
 */
export const ZClusterSettingsOverride = z.strictObject({
  /** aadProfile.managed: managed Entra ID integration */
  managed: z.boolean().optional(),
  /** aadProfile.enableAzureRBAC: Kubernetes authorization by Azure RBAC */
  enableAzureRBAC: z.boolean().optional(),
  disableLocalAccounts: z.boolean().optional(),
  /** aadProfile.adminGroupObjectIDs: Entra groups whose members are cluster-admin */
  adminGroupObjectIDs: z.array(z.guid()).max(100).optional(),
  /** apiServerAccessProfile.enablePrivateCluster */
  enablePrivateCluster: z.boolean().optional(),
  /** apiServerAccessProfile.enablePrivateClusterPublicFQDN: a public DNS name for the private API server */
  enablePrivateClusterPublicFQDN: z.boolean().optional(),
  /** apiServerAccessProfile.authorizedIPRanges: CIDRs allowed to reach a public API server */
  authorizedIPRanges: z
    .array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/, "an IPv4 address or CIDR"))
    .max(200)
    .optional(),
  /** oidcIssuerProfile.enabled */
  oidcIssuer: z.boolean().optional(),
  /** securityProfile.workloadIdentity.enabled (needs the OIDC issuer, as AKS requires) */
  workloadIdentity: z.boolean().optional(),
  /**
   * Each agent pool's securityProfile.sshAccess, by pool name. LocalUser and Disabled are the stable
   * API's values (2025-10-01, AgentPoolSSHAccess); EntraId comes from the preview API
   * (@azure/arm-containerservice KnownAgentPoolSSHAccess, https://aka.ms/aks/ssh/aad).
   */
  sshAccess: z.record(z.string().min(1), z.enum(["LocalUser", "Disabled", "EntraId"])).optional(),
});
export type ClusterSettingsOverride = z.infer<typeof ZClusterSettingsOverride>;

const ZSeed = z.object({
  tenant: z.object({ id: z.guid(), displayName: z.string(), domain: z.string() }),
  applications: z
    .array(
      z.object({
        appId: z.guid(),
        /** The application object's id (Graph's /applications/{id}); not the appId. */
        id: z.guid().optional(),
        servicePrincipalId: z.guid(),
        displayName: z.string(),
        /** Optional: an app may have no secret and sign in with a federated credential only. */
        clientSecret: z.string().min(1).optional(),
        redirectUris: z.array(z.url()),
        /**
         * The "Single-page application" platform's redirect URIs: codes sent there are redeemed by the
         * browser itself, without a secret, cross-origin and with PKCE (msal-browser's popup for step-up).
         */
        spaRedirectUris: z.array(z.url()).default([]),
        groupMembershipClaims: z.enum(["None", "SecurityGroup", "All"]).default("SecurityGroup"),
        /**
         * Microsoft Graph application permissions granted to the app with admin consent (app role
         * assignments to its service principal): app-only tokens for Graph carry them in `roles`, and
         * Graph allows each call only with one of the permissions its doc names (graph-permissions.ts).
         */
        applicationPermissions: z.array(z.string()).default([]),
        /**
         * Optional claims of the app registration ("Token configuration"), by token type: `auth_time` and
         * `acrs` are in ID tokens only when `idToken` lists them, and in access tokens for this app's own
         * API only when `accessToken` lists them (MicrosoftDocs/entra-docs
         * docs/identity-platform/optional-claims-reference.md: access-token claims belong to the resource).
         */
        optionalClaims: z
          .object({ idToken: z.array(z.string()).default([]), accessToken: z.array(z.string()).default([]) })
          .prefault({}),
        /**
         * Workload identity federation: external tokens (a cluster's service account tokens) the app
         * accepts as its client assertion. Graph's federatedIdentityCredential resource
         * (microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/resources/federatedidentitycredential.md);
         * `issuer` may start with "{emulator}", the emulator's own URL, resolved when it runs.
         */
        federatedIdentityCredentials: z.array(ZFederatedIdentityCredential).max(20).default([]),
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
  /** What the tenant's Azure subscriptions hold before anyone calls ARM. */
  azure: z
    .object({
      /**
       * Permanent Azure role assignments, e.g. the app's service principal holding the "AKS JIT Access
       * Provisioner" role on each cluster and node resource group. `principal`: an object id (user, group
       * or service principal), a user's UPN, or an application's appId (its service principal);
       * `role`: a role definition GUID; `scope`: an ARM id.
       */
      roleAssignments: z
        .array(z.object({ principal: z.string().min(1), role: z.guid(), scope: z.string().startsWith("/") }))
        .default([]),
      /**
       * Settings of the seeded AKS clusters (emulator/arm-seed.ts) that differ from the defaults of
       * arm-aks.ts, by cluster name: a misconfigured tenant is then a seed file.
       */
      clusters: z
        .array(ZClusterSettingsOverride.extend({ name: z.string().min(1), $comment: z.string().optional() }))
        .default([]),
    })
    .prefault({}),
  /** PIM for Groups before anyone calls Graph (graph-pim/). */
  pim: z
    .object({
      /**
       * Groups brought under management in PIM ("Bring groups into Privileged Identity Management",
       * MicrosoftDocs/entra-docs docs/id-governance/privileged-identity-management/groups-discover-groups.md),
       * by display name or id. Unset: every group is managed.
       */
      managedGroups: z.array(z.string().min(1)).optional(),
      /**
       * Permanent eligibilities: `principal` (a user's UPN, a group's display name, or an object id) is
       * eligible for `accessId` of `group` (a display name or id).
       */
      eligibilities: z
        .array(
          z.object({
            group: z.string().min(1),
            principal: z.string().min(1),
            accessId: z.enum(["member", "owner"]).default("member"),
          }),
        )
        .default([]),
    })
    .prefault({}),
});

/**
 * A seed overlay (emulator/seeds/{name}.json): more directory objects and Azure role assignments laid
 * over the tenant, e.g. the standing access a platform team's tenant has beside AKS JIT. Off unless
 * asked for (startEmulator's `seeds`, or POST /_emulator/seeds/{name}), so the demo tenant's own
 * assignments stay what the tests count.
 */
export const ZSeedOverlay = z.strictObject({
  $comment: z.string().optional(),
  users: ZSeed.shape.users.default([]),
  groups: ZSeed.shape.groups.default([]),
  applications: z.array(ZSeed.shape.applications.element).default([]),
  azure: z.strictObject({ roleAssignments: ZSeed.shape.azure.unwrap().shape.roleAssignments }).prefault({}),
});
export type SeedOverlay = z.infer<typeof ZSeedOverlay>;

export type Seed = z.infer<typeof ZSeed>;
export type Application = Seed["applications"][number];
export type DirectoryUser = Seed["users"][number];
export type AzureSeed = Seed["azure"];
export type PimSeed = Seed["pim"];
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
  readonly azure: AzureSeed;
  readonly pim: PimSeed;
  /** members added by the seed or through the groups API (`members/$ref`), by group id */
  private readonly assigned = new Map<string, string[]>();
  private readonly membershipSources: MembershipSource[] = [];
  /** when users added at runtime (POST /_emulator/users) were created; seeded users are older than any delay */
  private readonly createdAt = new Map<string, Date>();

  constructor(seed: Seed) {
    this.id = seed.tenant.id;
    this.displayName = seed.tenant.displayName;
    this.domain = seed.tenant.domain;
    this.applications = seed.applications;
    this.users = seed.users;
    this.azure = seed.azure;
    this.pim = seed.pim;
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
    for (const { group, principal } of seed.pim.eligibilities) {
      if (!this.groupByRef(group)) throw new Error(`tenant seed: pim eligibility names unknown group "${group}"`);
      if (!this.objectIdOf(principal)) {
        throw new Error(`tenant seed: pim eligibility names unknown principal "${principal}"`);
      }
    }
  }

  /** A group by display name or object id, as the seed's `pim` section names them. */
  groupByRef(ref: string): DirectoryGroup | undefined {
    return this.groups.find((g) => g.displayName === ref) ?? this.group(ref);
  }

  /** The object id of a user (UPN or id) or group (display name or id) the seed names. */
  objectIdOf(ref: string): string | undefined {
    return this.user(ref)?.id ?? this.groupByRef(ref)?.id;
  }

  /** Lays an overlay's users, groups and applications over the tenant; an id already taken stops it. */
  extend(overlay: SeedOverlay) {
    for (const user of overlay.users) {
      if (this.user(user.id) || this.user(user.userPrincipalName)) throw new Error(`user ${user.id} already exists`);
      this.users.push({ ...user, id: user.id.toLowerCase() });
    }
    for (const app of overlay.applications) {
      if (this.application(app.appId)) throw new Error(`application ${app.appId} already exists`);
      this.applications.push(app);
    }
    const membersOf = (groupId: string) => this.membersOf(groupId);
    for (const g of overlay.groups) {
      if (this.group(g.id)) throw new Error(`group ${g.id} already exists`);
      const id = g.id.toLowerCase();
      this.groups.push({
        id,
        displayName: g.displayName,
        description: g.description,
        get members() {
          return membersOf(id);
        },
      });
      this.assigned.set(id, []);
    }
    for (const g of overlay.groups) {
      for (const ref of g.members) {
        const member = this.user(ref)?.id ?? this.groups.find((x) => x.displayName === ref)?.id;
        if (!member) throw new Error(`group "${g.displayName}" lists unknown member "${ref}"`);
        this.assigned.get(g.id.toLowerCase())!.push(member);
      }
    }
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

  /**
   * A user created now (POST /_emulator/users), member of the given groups: for the replication
   * rules, which look at how long ago a principal was created.
   */
  addUser(user: DirectoryUser, createdAt: Date, groupIds: string[] = []): DirectoryUser {
    const added = { ...user, id: user.id.toLowerCase() };
    if (this.user(added.id) || this.user(added.userPrincipalName)) {
      throw new Error(`a user ${added.userPrincipalName} (${added.id}) already exists`);
    }
    this.users.push(added);
    this.createdAt.set(added.id, createdAt);
    for (const groupId of groupIds) this.addMember(groupId.toLowerCase(), added.id);
    return added;
  }

  /** Deletes a user added at runtime, with their memberships; false for the seed's users. */
  removeUser(id: string): boolean {
    const key = id.toLowerCase();
    if (!this.createdAt.delete(key)) return false;
    for (const group of this.groups) this.removeMember(group.id, key);
    this.users.splice(
      this.users.findIndex((u) => u.id === key),
      1,
    );
    return true;
  }

  /** When the object was created, for objects created at runtime; undefined for the seed's. */
  createdDateTime(objectId: string): Date | undefined {
    return this.createdAt.get(objectId.toLowerCase());
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
