/* The OData query options PIM lists need: $filter as `prop eq 'value'` clauses joined by `and`
 * (contract A.3, A.4), and which $expand asks for what. */

export type Filter = Array<[property: string, value: string]>;

/** The clauses of `raw`, with each property spelt as in `properties`; a string says what is wrong. */
export function parseFilter(raw: string | null, properties: readonly string[]): Filter | string {
  if (!raw) return [];
  const clauses: Filter = [];
  for (const clause of raw.trim().split(/\s+and\s+/i)) {
    const m = /^(\w+)\s+eq\s+'([^']*)'$/i.exec(clause.trim());
    if (!m) return `Invalid $filter clause '${clause}': the emulator supports "property eq 'value'" joined by "and".`;
    const property = properties.find((p) => p.toLowerCase() === m[1]!.toLowerCase());
    if (!property) return `Could not find a property named '${m[1]}' on this collection.`;
    clauses.push([property, m[2]!]);
  }
  return clauses;
}

export function matches(item: Record<string, unknown>, filter: Filter) {
  return filter.every(([property, value]) => String(item[property]).toLowerCase() === value.toLowerCase());
}

/** `$expand` of policy assignments: `policy`, `policy($expand=rules)`; of policies: `rules` (or `*`). */
export function expands(raw: string | null, name: string) {
  return (raw ?? "").split(",").some((e) => e.trim() === "*" || e.trim().toLowerCase().startsWith(name.toLowerCase()));
}
