/**
 * The layout rules of `terraform fmt` that a hand-written module gets wrong, checked without Terraform
 * (CI has no terraform binary). They follow hclwrite's formatter (hashicorp/hcl: hclwrite/format.go):
 *
 * - indentation: two spaces per line that opened brackets and is not yet closed; a line that opens
 *   several brackets (`merge([`) indents the next lines once, and its closing line (`]...)`) dedents once;
 * - alignment: in a run of consecutive lines that each assign a whole value (`name = value` with no
 *   bracket left open), the `=` signs line up one space after the longest name; a blank line, a comment
 *   line or a line that opens a multi-line value ends the run;
 * - one space after `=`, no tabs, no trailing spaces, one final newline.
 *
 * Not modelled, so refused instead of guessed: trailing comments (fmt aligns those too) and heredocs.
 * Spacing between other tokens is not checked.
 */

interface Line {
  /** the line with string contents and comments blanked, columns unchanged */
  code: string;
  raw: string;
  isCommentOnly: boolean;
  hasTrailingComment: boolean;
}

/** Blanks string contents (keeping `${...}` structure balanced) and comments, line by line. */
function maskLines(text: string): Line[] {
  const lines: Line[] = [];
  let code = "";
  let raw = "";
  let comment = false;
  // Each entry is an open string; its number counts the braces open in its current `${`.
  const strings: number[] = [];
  let inBlockComment = false;
  let lineComment = false;

  const endLine = () => {
    const trimmedCode = code.trim();
    lines.push({
      code,
      raw,
      isCommentOnly: comment && trimmedCode === "",
      hasTrailingComment: comment && trimmedCode !== "",
    });
    code = "";
    raw = "";
    comment = false;
    lineComment = false;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "\n") {
      endLine();
      continue;
    }
    raw += c;
    if (inBlockComment) {
      code += " ";
      if (c === "*" && next === "/") {
        raw += next;
        code += " ";
        i++;
        inBlockComment = false;
      }
      continue;
    }
    if (lineComment) {
      code += " ";
      continue;
    }
    const inString = strings.length > 0 && strings[strings.length - 1] === 0;
    if (inString) {
      if (c === "\\") {
        raw += next ?? "";
        code += "xx";
        i++;
      } else if (c === '"') {
        strings.pop();
        code += '"';
      } else if (c === "$" && next === "{") {
        strings[strings.length - 1] = 1;
        raw += next;
        code += "xx";
        i++;
      } else {
        code += "x";
      }
      continue;
    }
    // Code, at the top level or inside an interpolation.
    if (c === "#" || (c === "/" && next === "/")) {
      comment = true;
      lineComment = true;
      code += " ";
      continue;
    }
    if (c === "/" && next === "*") {
      comment = true;
      inBlockComment = true;
      code += " ";
      continue;
    }
    if (strings.length > 0) {
      // Inside `${...}`: braces nest, the last one closes the interpolation; a quote opens a nested string.
      const depth = strings.pop() ?? 0;
      strings.push(c === "{" ? depth + 1 : c === "}" ? depth - 1 : depth);
      if (c === '"') strings.push(0);
      code += "x";
      continue;
    }
    if (c === '"') strings.push(0);
    code += c;
  }
  if (raw !== "" || code !== "") endLine();
  return lines;
}

const OPENERS = "([{";
const CLOSERS = ")]}";

function netBrackets(code: string) {
  let net = 0;
  for (const c of code) {
    if (OPENERS.includes(c)) net++;
    if (CLOSERS.includes(c)) net--;
  }
  return net;
}

/** Column of the line's first `=` that assigns a whole value, or -1 (hclwrite's "assign" cell). */
function assignColumn(code: string) {
  for (let i = 1; i < code.length; i++) {
    if (code[i] !== "=") continue;
    const before = code[i - 1] ?? "";
    const after = code[i + 1] ?? "";
    if (after === "=" || after === ">" || "=!<>".includes(before)) continue;
    if (code.slice(0, i).trim() === "") return -1;
    return netBrackets(code.slice(i)) === 0 ? i : -1;
  }
  return -1;
}

/** What `terraform fmt` would change in `text`, as "file:line: problem" strings (empty when none). */
export function formatProblems(text: string, file: string): string[] {
  const problems: string[] = [];
  const at = (index: number, problem: string) => problems.push(`${file}:${index + 1}: ${problem}`);
  if (!text.endsWith("\n") || text.endsWith("\n\n")) problems.push(`${file}: must end with exactly one newline`);
  const lines = maskLines(text.endsWith("\n") ? text.slice(0, -1) : text);

  // Indentation, with hclwrite's indent stack.
  const indents: number[] = [];
  lines.forEach((line, index) => {
    if (line.raw.includes("\t")) at(index, "tab character");
    if (/\s$/.test(line.raw)) at(index, "trailing whitespace");
    if (line.hasTrailingComment) at(index, "trailing comment: put it on its own line (not checked for alignment)");
    if (line.code.includes("<<")) at(index, "heredoc: not supported by this check");
    if (line.raw.trim() === "") return;
    let net = netBrackets(line.code);
    if (net < 0) {
      let closed = -net;
      while (closed > 0 && indents.length > 0) {
        const top = indents[indents.length - 1] ?? 0;
        if (closed >= top) {
          closed -= top;
          indents.pop();
        } else {
          indents[indents.length - 1] = top - closed;
          closed = 0;
        }
      }
      net = 0;
    }
    const expected = 2 * indents.length;
    const actual = line.raw.length - line.raw.trimStart().length;
    if (actual !== expected) at(index, `indented ${actual} spaces, terraform fmt indents ${expected}`);
    if (net > 0) indents.push(net);
  });

  // Alignment of `=` in runs of whole-value assignments.
  let run: { index: number; column: number; nameEnd: number }[] = [];
  const closeRun = () => {
    const column = Math.max(...run.map((entry) => entry.nameEnd)) + 1;
    for (const entry of run) {
      if (entry.column !== column)
        at(entry.index, `"=" at column ${entry.column + 1}, terraform fmt aligns it at ${column + 1}`);
    }
    run = [];
  };
  lines.forEach((line, index) => {
    const column = line.isCommentOnly ? -1 : assignColumn(line.code);
    if (column === -1) {
      if (run.length > 0) closeRun();
      return;
    }
    run.push({ index, column, nameEnd: line.code.slice(0, column).trimEnd().length });
    if (line.code[column + 1] !== " " || line.code[column + 2] === " ") at(index, 'one space after "="');
  });
  if (run.length > 0) closeRun();
  return problems;
}
