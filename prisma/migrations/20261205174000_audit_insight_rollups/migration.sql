-- Rollups of the auditor's charts (lib/audit/insights-rollups.ts): what the two costly charts read
-- from a closed UTC day, computed once from the audit history and read back instead of joining a
-- year of events to their requests on every view. A cache, not a record: any row can be dropped and
-- is computed again from the history.

-- The closed days rolled up; a day's rows below go with it.
CREATE TABLE "audit_insight_days" (
    "day" DATE NOT NULL,
    "rolled_up_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_insight_days_pkey" PRIMARY KEY ("day")
);

-- Activations per day, cluster and role.
CREATE TABLE "audit_activation_days" (
    "day" DATE NOT NULL,
    "cluster_name" TEXT NOT NULL,
    "role_name" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    CONSTRAINT "audit_activation_days_pkey" PRIMARY KEY ("day", "cluster_name", "role_name"),
    CONSTRAINT "audit_activation_days_day_fkey" FOREIGN KEY ("day") REFERENCES "audit_insight_days"("day") ON DELETE CASCADE
);

-- One row per person's approval, by the approval event's seq: the median and the 90th percentile need
-- every value to stay exact.
CREATE TABLE "audit_approval_delays" (
    "seq" BIGINT NOT NULL,
    "day" DATE NOT NULL,
    "cluster_name" TEXT NOT NULL,
    "delay" INTERVAL NOT NULL,
    CONSTRAINT "audit_approval_delays_pkey" PRIMARY KEY ("seq"),
    CONSTRAINT "audit_approval_delays_day_fkey" FOREIGN KEY ("day") REFERENCES "audit_insight_days"("day") ON DELETE CASCADE
);
CREATE INDEX "audit_approval_delays_day_idx" ON "audit_approval_delays"("day");

-- Every audit event up to this seq is in the rollups: a later one on a rolled-up day makes it stale.
CREATE TABLE "audit_insight_watermark" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "through_seq" BIGINT NOT NULL,
    CONSTRAINT "audit_insight_watermark_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_insight_watermark_one_row" CHECK ("id")
);
