import { LocalTime } from "@/components/local-time";
import type { BreakGlassReview } from "@/lib/access/break-glass-reviews";
import { BreakGlassReviewForm } from "./break-glass-review";

/** The review break-glass access owes (the link in the break-glass notification lands here, #review). */
export function BreakGlassReviewSection({ requestId, review }: { requestId: string; review: BreakGlassReview }) {
  return (
    <section aria-labelledby="review" className="scroll-mt-4">
      <h2 id="review" className="mb-3 text-lg font-semibold">
        Break-glass review
      </h2>
      <div className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 text-sm">
        {review.state === "reviewed" ? (
          <div data-testid="break-glass-reviewed">
            <p>
              Reviewed by {review.reviewedBy} on <LocalTime iso={review.reviewedAt} />.
            </p>
            <p className="mt-1 whitespace-pre-wrap text-slate-700 [overflow-wrap:anywhere]">“{review.note}”</p>
            {review.ticket ? <p className="mt-1">Late ticket: {review.ticket}</p> : null}
            {review.noTicketReason ? <p className="mt-1">No ticket exists: {review.noTicketReason}</p> : null}
          </div>
        ) : (
          <>
            <p className={review.isOverdue ? "font-medium text-rose-800" : "text-slate-700"}>
              {review.isOverdue ? "Review overdue: it was due " : "Not reviewed yet; due by "}
              <LocalTime iso={review.dueAt} />.
              {review.isTicketOwed ? " The request was filed without its ticket, which the review asks for." : ""}
            </p>
            {review.canReview ? (
              <BreakGlassReviewForm
                requestId={requestId}
                isTicketOwed={review.isTicketOwed}
                ticketHint={review.ticketHint}
              />
            ) : (
              <p className="text-slate-700">{review.cannotReviewReason}</p>
            )}
          </>
        )}
      </div>
    </section>
  );
}
