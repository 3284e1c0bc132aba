-- Each closed UTC month's approval delays by cluster, sorted and packed (float8, big-endian), so that a
-- year of the auditor's charts reads about a dozen arrays per cluster and selects the median and the
-- 90th percentile from them (lib/audit/approval-percentiles.ts), instead of sorting 130,000 delays on
-- every view. A cache like the day rollups (lib/audit/insights-rollups.ts): built from
-- audit_approval_delays when a chart first needs a month, dropped when any of its days is rolled up
-- again or forgotten.
CREATE TABLE "audit_insight_months" (
    "month" DATE NOT NULL,
    "built_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_insight_months_pkey" PRIMARY KEY ("month")
);

CREATE TABLE "audit_approval_delay_months" (
    "month" DATE NOT NULL,
    "cluster_name" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "delays" BYTEA NOT NULL,
    CONSTRAINT "audit_approval_delay_months_pkey" PRIMARY KEY ("month", "cluster_name"),
    CONSTRAINT "audit_approval_delay_months_month_fkey" FOREIGN KEY ("month") REFERENCES "audit_insight_months"("month") ON DELETE CASCADE ON UPDATE NO ACTION
);
