/* What GET /_emulator/state answers: the demo tenant and what each service holds now. Tests, e2e
 * journeys and the replica checks read it with this one type. */

export interface EmulatorState {
  tenant: { id: string; displayName: string; domain: string };
  users: Array<{ id: string; userPrincipalName: string; displayName: string }>;
  groups: Array<{ id: string; displayName: string; members: string[] }>;
  /** active PIM for Groups assignments (graph-pim/schedules.ts) */
  pimGroupAssignments: Array<{
    groupId: string;
    principalId: string;
    accessId: "member" | "owner";
    startDateTime: string;
    /** null: no expiration */
    endDateTime: string | null;
  }>;
  /** active Azure role assignments that callers made through ARM, plain and PIM (arm-store.ts) */
  roleAssignments: Array<{
    id: string;
    scope: string;
    roleDefinitionId: string;
    principalId: string;
    endDateTime: string | null;
  }>;
  /** the tenant seed's and the test knob's Azure role assignments (arm-authz.ts) */
  seededRoleAssignments: Array<{
    name: string;
    id: string;
    scope: string;
    roleDefinitionId: string;
    principalId: string;
  }>;
  /** revokeSignInSessions calls (graph.ts) */
  signInRevocations: Array<{ userId: string; at: string }>;
  /** what was sent through Graph sendMail (graph.ts) */
  mail: Array<{ from: string; to: string[]; subject: string; body: string; sentAt: string }>;
  /** Log Analytics (log-analytics/routes.ts): workspaces with row counts per table, the clusters' diagnostic settings */
  logAnalytics: {
    workspaces: Array<{ name: string; id: string; customerId: string; tables: Record<string, number> }>;
    diagnosticSettings: Array<{
      clusterId: string;
      name: string;
      workspaceId: string | null;
      categories: string[];
      destination: string;
    }>;
    /** rows that went to AzureDiagnostics (destination not Dedicated): counted, not kept */
    azureDiagnosticsRows: number;
  };
  /** node sign-ins recorded in Graph's sign-in logs (graph-sign-ins.ts) */
  nodeSignIns: number;
}

/** What a service module adds to the state: its own fields of EmulatorState. */
export type StateInspector = () => Partial<EmulatorState>;
