/**
 * Progress while the suite runs: one line per finished behaviour (`PASS`, `FAIL`, `ERROR`, `SKIP`
 * with its reason), readable in CI logs. Behaviours filtered out by --filter are not listed.
 */
import { basename } from "node:path";
import type { Reporter, TestCase, TestModule } from "vitest/node";
import { redact } from "../../conformance/redact.ts";
import { matchesFilter } from "../filter.ts";
import { idOf, outcomeOf } from "./reporter.ts";
import { classifyError } from "./results.ts";

/** Prints one line per finished behaviour through `write` (which adds the newline). */
export class ProgressReporter implements Reporter {
  private readonly filter: string | undefined;
  private readonly write: (line: string) => void;

  constructor(filter: string | undefined, write: (line: string) => void) {
    this.filter = filter;
    this.write = (line) => write(redact(line));
  }

  onTestCaseResult(test: TestCase): void {
    const id = idOf(test.name, test.meta().nomad?.id);
    if (!matchesFilter(id, this.filter)) return;
    const o = outcomeOf(test);
    const ms = o.durationMs === undefined ? "" : ` (${Math.round(o.durationMs)} ms)`;
    if (o.state === "passed") this.write(`PASS  ${id}${ms}`);
    else if (o.state === "skipped") this.write(`SKIP  ${id} — ${o.note ?? "skipped"}`);
    else {
      const status = classifyError(o.errors[0]) === "fail" ? "FAIL " : "ERROR";
      this.write(`${status} ${id}${ms} — ${(o.errors[0]?.message ?? "").split("\n")[0]}`);
    }
  }

  onTestModuleEnd(module: TestModule): void {
    for (const e of module.errors())
      this.write(`ERROR ${basename(module.moduleId)} — ${(e.message ?? "").split("\n")[0]}`);
  }
}
