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

/** The benchmark's auditor acting: what exports take (they are audited). */
export const benchContext = {
  viewer: benchViewer,
  origin: { correlationId: "bench", channel: "api" as const },
  now: new Date(),
};
