/** Vitest reporter for the mutant runs: writes [{project, title, state}] to $NOMAD_CONFORMANCE_MUTANT_REPORT. */
import { writeFileSync } from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

export default class MutantReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows = modules.flatMap((m) =>
      [...m.children.allTests()].map((t) => ({
        project: m.project.name,
        title: t.name,
        state: t.result().state,
      })),
    );
    writeFileSync(String(process.env.NOMAD_CONFORMANCE_MUTANT_REPORT), JSON.stringify(rows));
  }
}
