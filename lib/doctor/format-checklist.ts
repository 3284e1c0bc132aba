import type { CheckResult, CheckStatus } from "./check-result";

const MARK: Record<CheckStatus, string> = { pass: "✓", fail: "✗", warn: "!" };

/** The checklist as people read it: one section per check, ✓/✗/! per item, the fix under each failure. */
export function formatChecklist(results: readonly CheckResult[]): string {
  const lines: string[] = [];
  let section: string | undefined;
  for (const result of results) {
    if (result.check !== section) {
      section = result.check;
      lines.push("", section);
    }
    lines.push(`  ${MARK[result.status]} ${result.name}: ${result.detail}`);
    if (result.fix && result.status !== "pass") lines.push(`      Fix: ${result.fix}`);
  }
  return lines.join("\n");
}

export function summarize(results: readonly CheckResult[]): string {
  const count = (status: CheckStatus) => results.filter((r) => r.status === status).length;
  const warnings = count("warn");
  return `${count("pass")} passed, ${count("fail")} failed${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}`;
}
