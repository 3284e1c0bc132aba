import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { requirePermission } from "@/lib/auth/current-user";

export const metadata: Metadata = { title: "Ways in without AKS JIT" };

const TERMS: Array<{ id: string; title: string; text: string }> = [
  {
    id: "standing-admins",
    title: "Standing admins",
    text: "People or identities that are cluster admins without a JIT grant: an Azure role assignment at the cluster or above it (resource group, subscription, management group) whose role carries Kubernetes admin actions, the cluster's run command or its admin credentials, or membership in one of the cluster's admin groups (aadProfile.adminGroupObjectIDs). Access that active JIT grants explain is not counted.",
  },
  {
    id: "standing-node-access",
    title: "Standing node logins",
    text: "People or identities that can sign in to the cluster's nodes, or run commands on them, through a role assignment on the node resource group or above it, without a JIT grant.",
  },
  {
    id: "local-accounts",
    title: "Local accounts on",
    text: "The cluster still has its local Kubernetes accounts: anyone allowed to list the cluster's admin credentials in Azure gets a cluster-admin kubeconfig that Entra ID, Conditional Access and AKS JIT never see. The fix disables local accounts (az aks update --disable-local-accounts).",
  },
  {
    id: "local-ssh",
    title: "SSH with local keys",
    text: "A node pool accepts SSH with a key set on the cluster (sshAccess LocalUser): whoever holds the key reaches the nodes without Entra ID or a JIT grant. AKS JIT hands out no keys; node access goes through Entra ID SSH or kubectl debug instead.",
  },
];

/** What each posture badge next to a cluster means, for everyone who requests or approves access. */
export default async function PostureTermsPage() {
  await requirePermission("access.request", "/posture-terms");
  return (
    <>
      <PageHeader title="Ways in without AKS JIT">
        <p>
          A badge next to a cluster says its last posture check found a way in that does not go through AKS JIT.
          Platform admins see who and how, and the command that fixes it.
        </p>
      </PageHeader>
      <dl className="max-w-3xl space-y-5">
        {TERMS.map((term) => (
          <div key={term.id} id={term.id} className="scroll-mt-6">
            <dt className="font-semibold">{term.title}</dt>
            <dd className="mt-1 text-slate-700">{term.text}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
