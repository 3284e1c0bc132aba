/** The auditor the benchmark searches and exports as: a session user with the auditor role. */
export const benchViewer = {
  id: "00000000-0000-4000-8000-000000000000",
  entraObjectId: "00000000-0000-4000-8000-000000000000",
  displayName: "Benchmark",
  userPrincipalName: "bench@contoso.com",
  groupIds: [],
  roles: ["requester" as const, "auditor" as const],
  sessionExpiresAt: new Date(Date.now() + 3_600_000),
};
