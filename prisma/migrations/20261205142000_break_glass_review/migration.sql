-- Break-glass access is reviewed afterwards (lib/access/review-break-glass.ts): who reviewed it and
-- when. The note and the late ticket live in the `break_glass.reviewed` audit event; the ticket is
-- also written to access_requests.ticket, so that the request no longer owes it.
ALTER TABLE "access_requests" ADD COLUMN "reviewed_at" TIMESTAMPTZ(3);
ALTER TABLE "access_requests" ADD COLUMN "reviewed_by_id" UUID;
ALTER TABLE "access_requests"
  ADD CONSTRAINT "access_requests_reviewed_by_id_fkey" FOREIGN KEY ("reviewed_by_id") REFERENCES "users"("id")
  ON DELETE RESTRICT ON UPDATE CASCADE;

-- The review queue and the overdue sweep: break-glass requests not yet reviewed, oldest first.
CREATE INDEX "access_requests_break_glass_unreviewed_idx" ON "access_requests" ("created_at")
  WHERE "is_break_glass" AND "reviewed_at" IS NULL;
