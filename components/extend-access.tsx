import Link from "next/link";
import type { FormState } from "@/lib/forms";
import type { RequestView } from "@/lib/access/request-queries";
import { ExtendForm } from "./extend-form";

/**
 * How the holder gets more time: directly within the policy, or, where more time is a new decision,
 * a new request for the same cluster and role (an approved overlapping request joins the access).
 */
export function ExtendAccess({
  request,
  action,
  context,
}: {
  request: Pick<RequestView, "clusterName" | "roleName" | "canExtend" | "extension">;
  action: (previous: FormState, form: FormData) => Promise<FormState>;
  context?: string;
}) {
  const { extension } = request;
  if (!extension) return null;
  if (extension.isApprovalRequired) {
    const query = new URLSearchParams({ cluster: request.clusterName, role: request.roleName });
    return (
      <p className="text-sm text-slate-700">
        More time on this role needs an approver.{" "}
        <Link href={`/access?${query}#new-request`} className="font-medium text-brand-700 underline">
          Request more time
          {context ? <span className="sr-only"> {context}</span> : null}
        </Link>
        : once approved, it joins your current access.
      </p>
    );
  }
  if (!request.canExtend) {
    return <p className="text-sm text-slate-700">This access already lasts as long as its policy allows in all.</p>;
  }
  return <ExtendForm action={action} maxMoreMinutes={extension.maxMoreMinutes} context={context} />;
}
