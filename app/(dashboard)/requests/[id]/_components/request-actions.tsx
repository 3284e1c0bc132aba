import type { ReactNode } from "react";
import { ActionButtonForm } from "@/components/action-button-form";
import { ExtendAccess } from "@/components/extend-access";
import type { RequestView } from "@/lib/access/request-queries";
import { cancelAction, endEarlyAction, extendAction, retryActivationAction } from "../actions";
import { DecisionForm } from "./decision-form";
import type { StepUpSettings } from "@/components/step-up";
import { RevokeForm } from "./revoke-form";

function Part({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="border-t border-slate-200 pt-4 first:border-t-0 first:pt-0">
      <h3 id={id} className="mb-2 font-semibold">
        {title}
      </h3>
      <div className="space-y-4">{children}</div>
    </section>
  );
}

/** What the viewer may do with this request: decide it, use or give back their access, or administer it. */
export function RequestActions({
  request,
  stepUp,
  isInQueue = false,
}: {
  request: RequestView;
  stepUp?: StepUpSettings;
  /** opened by "Then open the next request": that choice stays ticked */
  isInQueue?: boolean;
}) {
  const holdsAccess = request.canEndEarly || request.extension !== null;
  return (
    <div className="space-y-4">
      <Part id="decision" title="Decision">
        {request.canDecide ? (
          <DecisionForm requestId={request.id} stepUp={stepUp} isInQueue={isInQueue} />
        ) : (
          <p className="text-sm text-slate-700" data-testid="cannot-decide">
            {request.cannotDecideReason ?? "Only approvers for this role decide it."}
          </p>
        )}
      </Part>
      {holdsAccess ? (
        <Part id="your-access" title="Your access">
          <ExtendAccess request={request} action={extendAction.bind(null, request.id, "request")} />
          {request.canEndEarly ? (
            <ActionButtonForm
              action={endEarlyAction.bind(null, request.id, "request")}
              label="End access now"
              pendingLabel="Ending…"
              hint="Done already? Give the access back now rather than at its end."
              confirm={{ question: "End this access now? It cannot be undone.", yes: "Yes, end it now", no: "Keep it" }}
            />
          ) : null}
        </Part>
      ) : null}
      {request.canCancel ? (
        <Part id="cancel" title="Cancel">
          <ActionButtonForm
            action={cancelAction.bind(null, request.id)}
            label="Cancel this request"
            pendingLabel="Cancelling…"
          />
        </Part>
      ) : null}
      {request.canRevoke || request.canRetry ? (
        <Part id="administer" title="Administer">
          {request.canRetry ? (
            <ActionButtonForm
              action={retryActivationAction.bind(null, request.id, "request")}
              label="Retry activation"
              pendingLabel="Retrying…"
              hint="Fixed what made it fail? The request goes back to approved and is activated again."
            />
          ) : null}
          {request.canRevoke ? <RevokeForm requestId={request.id} holder={request.requester.displayName} /> : null}
        </Part>
      ) : null}
    </div>
  );
}
