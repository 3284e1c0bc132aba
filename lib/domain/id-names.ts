/**
 * Object ids in words: a provider's answer ("make 7d2f… a member of group ffde…") reads better as
 * "make Nadia Okafor a member of group admin (aks-prod-weu)". Pure: which names are known comes in
 * as a map; ids with no known name stay as they are.
 */

const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Every object id in the texts, lower-cased, once. */
export function idsIn(texts: ReadonlyArray<string | null | undefined>): string[] {
  const ids = new Set<string>();
  for (const text of texts) for (const match of text?.matchAll(GUID) ?? []) ids.add(match[0].toLowerCase());
  return [...ids];
}

/** The text with each known id replaced by its name. */
export const nameIds = (text: string, names: ReadonlyMap<string, string>) =>
  text.replace(GUID, (id) => names.get(id.toLowerCase()) ?? id);
