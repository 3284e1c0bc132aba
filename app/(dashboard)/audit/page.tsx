import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/page-header";
import { fieldProblems } from "@/lib/validation/parse-input";
import { AUDIT_EVENT_TYPES, searchAuditEvents } from "@/lib/audit/search";
import { ZAuditSearch } from "@/lib/audit/filters";
import { latestVerification } from "@/lib/audit/verification";
import { requirePermission } from "@/lib/auth/current-user";
import type { SessionUser } from "@/lib/context";
import { getCatalog } from "@/lib/config/catalog";
import { ChainIntegrity } from "./_components/chain-integrity";
import { SearchForm } from "./_components/search-form";
import { SearchResults } from "./_components/search-results";
import { presetRange, RANGE_PRESETS, viewerZone } from "@/lib/domain/time-zone";
import { searchInputFrom, timeField, type SearchInput, type SearchParams } from "./search-query";

export const metadata: Metadata = { title: "Audit" };

/** The page, or what to correct in the filters (shown next to them). */
async function search(viewer: SessionUser, input: SearchInput) {
  const filters = ZAuditSearch.safeParse(input);
  if (!filters.success) return { page: null, problems: fieldProblems(filters.error) };
  return { page: await searchAuditEvents(viewer, filters.data), problems: [] };
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requirePermission("audit.read", "/audit");
  const params = await searchParams;
  const zone = viewerZone(user.timeZone);
  const input = searchInputFrom(params, zone);
  const typed = { from: timeField(params, "from", zone), to: timeField(params, "to", zone) };
  const now = new Date();
  const presets = Object.fromEntries(RANGE_PRESETS.map((p) => [p, presetRange(p, now, zone)])) as Record<
    (typeof RANGE_PRESETS)[number],
    { from: string; to: string }
  >;
  const [{ page, problems }, last] = await Promise.all([search(user, input), latestVerification(user)]);
  const { clusters } = getCatalog();
  const options = {
    clusters: clusters.map((c) => c.name),
    roles: [...new Set(clusters.flatMap((c) => c.roles.map((r) => r.name)))].sort(),
    types: AUDIT_EVENT_TYPES,
  };
  return (
    <>
      <PageHeader title="Audit">
        <p>The history of every sign-in, request, decision and access change. Nobody can change or delete it.</p>
        <p className="mt-1">
          Each request&apos;s timeline and evidence pack open from its events below;{" "}
          <Link href="/audit/insights" className="font-medium text-brand-700 underline">
            charts of activations, approval times, break-glass uses and failures
          </Link>{" "}
          have a page of their own, and so has each cluster&apos;s{" "}
          <Link href="/admin/posture" className="font-medium text-brand-700 underline">
            posture
          </Link>{" "}
          (who gets in without AKS JIT).
        </p>
        <p className="mt-1">
          Break-glass access not yet reviewed waits in the{" "}
          <Link href="/approvals/break-glass" className="font-medium text-brand-700 underline">
            break-glass review
          </Link>
          .
        </p>
      </PageHeader>
      <section aria-labelledby="integrity" className="mb-8">
        <h2 id="integrity" className="mb-3 text-lg font-semibold">
          Integrity
        </h2>
        <p className="mb-3 text-sm text-slate-700">
          Every event is chained to the one before it by a SHA-256 hash, and the database refuses changes and deletions.
          A change made behind the app&apos;s back breaks the chain at that event.
        </p>
        <ChainIntegrity last={last} />
      </section>
      <section aria-labelledby="search-title" className="mb-8">
        <h2 id="search-title" className="mb-3 text-lg font-semibold">
          Search
        </h2>
        <SearchForm input={input} typed={typed} zone={zone} presets={presets} problems={problems} options={options} />
      </section>
      <section aria-labelledby="events-title" className="mb-8">
        <h2 id="events-title" className="mb-3 text-lg font-semibold">
          Events
        </h2>
        {page ? (
          <SearchResults input={input} page={page} />
        ) : (
          <p className="text-slate-600">Correct the filters to search.</p>
        )}
      </section>
    </>
  );
}
