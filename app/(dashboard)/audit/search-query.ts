/**
 * The Audit page's URL: the search form submits with GET, so a search is a link one can share, and
 * paging and exports carry the same filters. Times from the form are datetime-local values without a
 * zone; the page reads them as UTC and says so.
 */
export type SearchParams = Record<string, string | string[] | undefined>;

export const FILTER_NAMES = ["from", "to", "actor", "requester", "cluster", "role", "type", "requestId", "q"] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

/** The URL's filters and page, as the search takes them. */
export type SearchInput = Partial<Record<FilterName | "limit" | "cursor" | "count", string | string[]>>;

const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(?:\.\d{1,3})?)?$/;

/** A datetime-local value as UTC ("2026-11-23T08:00" → "2026-11-23T08:00:00Z"); anything else as given. */
const asUtc = (value: string) =>
  value.replace(LOCAL_TIME, (_, minutes: string, seconds = ":00") => `${minutes}${seconds}Z`);

/** What the search gets: empty form fields are no filter (the "any" options send ""), and the times are UTC. */
export function searchInputFrom(params: SearchParams): SearchInput {
  const input: SearchInput = {};
  for (const name of [...FILTER_NAMES, "limit", "cursor", "count"] as const) {
    const values = [params[name] ?? []].flat().filter((value) => value.trim() !== "");
    if (values.length === 0) continue;
    const times = name === "from" || name === "to" ? values.map(asUtc) : values;
    input[name] = name === "type" ? times : times[0];
  }
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

/** An ISO time as a datetime-local field shows it, in UTC; "" when it is not a time. */
export function asLocalField(value: string | string[] | undefined) {
  const time = typeof value === "string" ? new Date(value) : null;
  if (!time || Number.isNaN(time.getTime())) return "";
  const iso = time.toISOString().slice(0, 19);
  return iso.endsWith(":00") ? iso.slice(0, 16) : iso;
}
