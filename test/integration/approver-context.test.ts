import { describe, expect, it } from "vitest";
import { countAwaitingMyDecision, nextAwaitingMyDecision } from "@/lib/access/approval-queue";
import { approveRequest } from "@/lib/access/approve-request";
import { catalogContext, loadApproverContext } from "@/lib/access/approver-context";
import { requestAccess } from "@/lib/access/request-access";
import { loadRequestView } from "@/lib/access/request-queries";
import { contextFor } from "../support/users";

/**
 * What an approver sees beside a request (the requester's other access and open requests, overlaps,
 * who else may approve) and the queue behind the pending badge, against PostgreSQL and the
 * emulator's directory: only those who decide or audit the request see the context, and the count
 * holds only what the viewer can still decide.
 */

const filing = (cluster: string, role: string, justification: string) => ({
  cluster,
  role,
  duration: "PT1H",
  justification,
  ticket: "INC12345",
});

describe("the approver context and the approval queue", () => {
  it("shows the requester's other requests and overlaps to approvers and auditors only", async () => {
    const [n02, n01, p01, aud01] = await Promise.all([
      contextFor("n02@contoso.com"),
      contextFor("n01@contoso.com"),
      contextFor("p01@contoso.com"),
      contextFor("aud01@contoso.com"),
    ]);
    // A fresh database per file: nothing waits for p01 before this test files anything.
    expect(await countAwaitingMyDecision(p01.viewer)).toBe(0);

    // Filed a second apart, as people file them: the queue is oldest first.
    const filedAt = (seconds: number) => ({ ...n02, now: new Date(n02.now.getTime() + seconds * 1000) });
    const first = await requestAccess(filing("aks-prod-weu", "admin", "Rotate the ingress certificate"), filedAt(0));
    const second = await requestAccess(filing("aks-prod-weu", "admin", "Look at the ingress again"), filedAt(1));
    const elsewhere = await requestAccess(filing("aks-prod-weu", "node-access", "Kubelet logs"), filedAt(2));

    const view = await loadRequestView(first.id, p01.viewer);
    const context = await loadApproverContext(p01.viewer, view);
    expect(context?.related.map((r) => [r.id, r.overlap])).toEqual(
      expect.arrayContaining([
        [second.id, "open"],
        [elsewhere.id, null],
      ]),
    );
    expect(context?.related).toHaveLength(2);
    // n02 is in the approver group too, but never approves their own request: only Priya is named.
    expect(context?.quorum).toBe("1 approval required: none yet; 1 more needed from approver (Priya Raman).");
    expect(catalogContext(view)).toEqual({
      environment: "production",
      risk: "high",
      roleDescription: "Kubernetes cluster admin (Azure Kubernetes Service RBAC Admin)",
      ticketUrl: "https://tickets.contoso.com/browse/INC12345",
    });

    // The auditor sees it too; the requester, and someone who neither decides nor audits, do not.
    expect((await loadApproverContext(aud01.viewer, view))?.related).toHaveLength(2);
    expect(await loadApproverContext(n02.viewer, await loadRequestView(first.id, n02.viewer))).toBeNull();
    expect(await loadApproverContext(n01.viewer, view)).toBeNull();

    // p01's queue: the three new requests, oldest first; n02's own are not in n02's.
    expect(await countAwaitingMyDecision(p01.viewer)).toBe(3);
    expect(await countAwaitingMyDecision(n02.viewer)).toBe(0);
    expect(await countAwaitingMyDecision(n01.viewer)).toBe(0);
    await approveRequest(first.id, {}, p01);
    expect(await countAwaitingMyDecision(p01.viewer)).toBe(2);
    expect(await nextAwaitingMyDecision(p01.viewer, first.id)).toBe(second.id);
    expect(await nextAwaitingMyDecision(n02.viewer, first.id)).toBeNull();
  });

  it("names who approved and who else may when two approvals are required", async () => {
    const [n01, p01, n02] = await Promise.all([
      contextFor("n01@contoso.com"),
      contextFor("p01@contoso.com"),
      contextFor("n02@contoso.com"),
    ]);
    const request = await requestAccess(filing("aks-quorum-test", "admin", "Two pairs of eyes"), n01);
    await approveRequest(request.id, {}, p01);
    const view = await loadRequestView(request.id, n02.viewer);
    const context = await loadApproverContext(n02.viewer, view);
    expect(context?.quorum).toBe(
      "2 approvals required: approved by Priya Raman; 1 more needed from approver (Noah Schmidt).",
    );
    // p01 approved it already: it leaves p01's queue, and stays in n02's.
    expect(await nextAwaitingMyDecision(p01.viewer, "00000000-0000-0000-0000-000000000000")).not.toBe(request.id);
    expect(await nextAwaitingMyDecision(n02.viewer, "00000000-0000-0000-0000-000000000000")).toBe(request.id);
  });
});
