/**
 * The Audit page's URL: the search form submits with GET, so a search is a link one can share, and
 * paging and exports carry the same filters. Times from the form are `YYYY-MM-DD HH:MM` in the
 * viewer's zone (an ISO time with its offset works too); the search gets them as UTC instants.
 */
import { parseWallTime, toWallTime } from "@/lib/domain/time-zone";

export type SearchParams = Record<string, string | string[] | undefined>;

export const FILTER_NAMES = [
  "from",
  "to",
  "involving",
  "actor",
  "requester",
  "cluster",
  "role",
  "type",
  "requestId",
  "q",
  "system",
  "activity",
] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

/** The URL's filters and page, as the search takes them. */
export type SearchInput = Partial<Record<FilterName | "limit" | "cursor" | "count", string | string[]>>;

/** A typed time in `zone` as an instant ("2026-11-23 08:00" → "2026-11-23T02:30:00.000Z"); anything else as given. */
const asInstant = (value: string, zone: string) => parseWallTime(value, zone)?.toISOString() ?? value;

/**
 * What the search gets: empty form fields are no filter (the "any" options send ""), the times are
 * instants, and system events are left out unless the URL says `system=include` (the page's
 * checkbox) or the search is for one request or chosen types; the API includes them by default.
 */
export function searchInputFrom(params: SearchParams, zone: string): SearchInput {
  const input: SearchInput = {};
  for (const name of [...FILTER_NAMES, "limit", "cursor", "count"] as const) {
    const values = [params[name] ?? []].flat().filter((value) => value.trim() !== "");
    if (values.length === 0) continue;
    const times = name === "from" || name === "to" ? values.map((value) => asInstant(value, zone)) : values;
    input[name] = name === "type" || name === "activity" ? times : times[0];
  }
  // A request's trail and chosen types show whole (see isSystemEvent): only a broad search hides.
  if (input.system !== "include") delete input.system;
  if (!input.system && !input.requestId && !input.type) input.system = "exclude";
  return input;
}

/** The filters alone, without the page: what an export takes. */
export function filtersOf({ limit: _limit, cursor: _cursor, count: _count, ...filters }: SearchInput): SearchInput {
  return filters;
}

/** Parameters as a query string, a repeated one (`type`) once per value; "" when there are none. */
export function queryString(params: Record<string, string | string[] | undefined>) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const one of [value ?? []].flat()) query.append(name, one);
  return query.toString();
}

/** The Audit page with these parameters. */
export const auditHref = (params: Record<string, string | string[] | undefined>) =>
  `/audit${queryString(params) ? `?${queryString(params)}` : ""}`;

/**
 * A time parameter as the field shows it: as typed when it is a wall time (or not a time at all, so
 * that a refused value stays to be corrected); an instant with its offset (paging links, a link from
 * the API) in `zone`.
 */
export function timeField(params: SearchParams, name: "from" | "to", zone: string) {
  const raw = [params[name] ?? ""].flat()[0] ?? "";
  if (parseWallTime(raw, zone) !== null) return raw;
  const time = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(raw) ? new Date(raw) : null;
  return time && !Number.isNaN(time.getTime()) ? toWallTime(time, zone) : raw;
}
