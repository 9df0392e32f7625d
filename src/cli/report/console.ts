/**
 * The end-of-run console summary: status counts by family and by check, then the final line
 * `conformance: N passed, N failed, N skipped` (failed counts fail and error).
 */
import type { BehaviourResult, RunResults } from "./model.ts";
import { checksOf } from "./model.ts";
import { type Counts, countStatuses } from "./status.ts";

const COLUMNS = ["pass", "fail", "error", "skip", "disabled"] as const;

function table(title: string, groups: [string, Counts][]): string[] {
  const width = Math.max(title.length, ...groups.map(([name]) => name.length));
  const head = `${title.padEnd(width)}  ${COLUMNS.map((c) => c.padStart(9)).join("")}`;
  const rows = groups.map(
    ([name, counts]) =>
      `${name.padEnd(width)}  ${COLUMNS.map((c) => String(counts[c]).padStart(9)).join("")}`,
  );
  return [head, "-".repeat(head.length), ...rows];
}

function groupBy(
  list: readonly BehaviourResult[],
  key: (b: BehaviourResult) => string,
  order?: string[],
): [string, Counts][] {
  const names = order ?? [...new Set(list.map(key))].sort();
  return names.map((n) => [n, countStatuses(list.filter((b) => key(b) === n).map((b) => b.status))]);
}

/** The final line CI logs grep for. */
export function finalLine(counts: Counts): string {
  return `conformance: ${counts.pass} passed, ${counts.fail + counts.error} failed, ${counts.skip} skipped`;
}

/** The summary printed after the run. */
export function renderConsoleSummary(r: RunResults): string {
  const lines = [
    "",
    ...table(
      "family",
      groupBy(r.behaviours, (b) => b.family),
    ),
    "",
    ...table(
      "check",
      groupBy(r.behaviours, (b) => b.check, checksOf(r.behaviours)),
    ),
    "",
  ];
  for (const e of r.errors) lines.push(`run error: ${e.split("\n")[0]}`);
  const failing = r.behaviours.filter((b) => b.status === "fail" || b.status === "error");
  for (const b of failing.slice(0, 30))
    lines.push(`${b.status.toUpperCase().padEnd(5)} ${b.id}: ${(b.message ?? "").split("\n")[0]}`);
  if (failing.length > 30) lines.push(`… and ${failing.length - 30} more in report.html`);
  lines.push(`verdict: ${r.verdict}${r.interrupted ? " (run cancelled)" : ""}`, finalLine(r.counts), "");
  return lines.join("\n");
}
