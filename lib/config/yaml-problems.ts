/**
 * Problems in a YAML file, told the way the person fixing it reads it: file, line, column and the
 * field's path, from YAML syntax errors and from zod issues found in the parsed value.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";

export type Path = ReadonlyArray<PropertyKey>;

/** A problem found in the parsed value; `isKey` points at an unknown key rather than a value. */
export interface YamlIssue {
  path: Path;
  message: string;
  isKey?: boolean;
}

export interface YamlProblem {
  file: string;
  line?: number;
  column?: number;
  /** the field, as `clusters[0].roles[1].policy.maxDuration`; empty for the file as a whole */
  path: string;
  message: string;
}

export function formatProblem({ file, line, column, path, message }: YamlProblem): string {
  const where = line === undefined ? file : `${file}:${line}:${column ?? 1}`;
  return path ? `${where} ${path}: ${message}` : `${where} ${message}`;
}

export function formatPath(path: Path): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index > 0 ? "." : ""}${String(part)}`))
    .join("");
}

/** Zod's defaults speak TypeScript ("expected string, received undefined"); these speak YAML. */
export const yamlWords: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== "invalid_type") return undefined;
  if (issue.input === undefined) return "is required";
  const words: Record<string, string> = {
    string: "must be text",
    number: "must be a number",
    boolean: "must be true or false",
    array: "must be a list",
    object: "must be a mapping (key: value lines)",
  };
  return words[issue.expected] ?? `must be ${issue.expected}`;
};

/** A zod error's issues, one per unknown key (strict objects list them together). */
export function zodIssues(error: z.ZodError | undefined): YamlIssue[] {
  return (error?.issues ?? []).flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({
          path: [...issue.path, key],
          message: "is not a known field (check the spelling)",
          isKey: true,
        }))
      : [{ path: issue.path, message: issue.message }],
  );
}

/** A YAML file read into a value, able to place issues about that value in the text. */
export interface YamlSource {
  value: unknown;
  /** the issues as problems with line and column, in the order of the file */
  locate(issues: YamlIssue[]): YamlProblem[];
}

/** The file's value, or the problems that stop it from being read. */
export function readYaml(text: string, file: string): YamlSource | { problems: YamlProblem[] } {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *policy`) let a large file share a block; YAML 1.2 leaves them off by default.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => ({
        file,
        ...at(error.pos[0]),
        path: "",
        message: `YAML syntax: ${error.message}`,
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // e.g. an alias bomb: yaml refuses documents whose aliases expand without bound
    const reason = error instanceof Error ? error.message : String(error);
    return { problems: [{ file, path: "", message: `YAML: ${reason}` }] };
  }
  return {
    value,
    locate: (issues) =>
      issues
        .map(({ path, message, isKey }) => ({
          file,
          ...at(offsetOf(doc, path, isKey)),
          path: formatPath(path),
          message,
        }))
        .sort((a, b) => a.line - b.line || a.column - b.column),
  };
}

/**
 * Where in the text a field is. A value that is present points at itself; a missing one at the key of
 * the mapping that lacks it (or the list item), and an unknown key at the key itself.
 */
function offsetOf(doc: Document, path: Path, isKey = false): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const [index, part] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      const isLast = index === path.length - 1;
      // A block mapping or list starts on the line after its key: the key is easier to find.
      offset = (isLast && isKey) || !isScalar(pair.value) ? keyStart : rangeStart(pair.value, keyStart);
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number" && node.items[part] !== undefined) {
      node = node.items[part];
      offset = rangeStart(node, offset);
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown, fallback = 0): number {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : fallback;
}
