/**
 * The vitest reporter behind the reports: at the end of the run it reads every test case (status,
 * skip note, errors, `meta.nomad`), builds the results over the whole catalogue and writes
 * results.json, report.html, summary.md and drift.json into the output directory.
 */
import { basename } from "node:path";
import type { Reporter, TestCase, TestModule, TestRunEndReason, TestSuite } from "vitest/node";
import { redact } from "../../conformance/redact.ts";
import type { Behaviour } from "../../conformance/types.ts";
import type { SpecNode } from "../../spec/load.ts";
import { computeDrift } from "./drift.ts";
import type { CaseOutcome, ReportConfig, ReportTarget, RunResults } from "./model.ts";
import { buildResults } from "./results.ts";
import { writeReports } from "./write.ts";

/** What the reporter needs besides the vitest results. */
export interface ConformanceReporterOptions {
  catalogue: readonly Behaviour[];
  filter: string | undefined;
  outDir: string;
  config: ReportConfig;
  target: ReportTarget;
  runId: string;
  version: string;
  /** Operation → family (spec tag). */
  families: Record<string, string>;
  /** The bundled spec, for the "never seen" half of the drift report. */
  spec?: SpecNode;
  /** Whether the CLI cancelled the run (deadline or signal). */
  cancelled?: () => string | undefined;
}

type ErrorLike = { name?: string; message?: string; diff?: string };

/** Redacts text and removes terminal colour codes (vitest colours its diffs). */
export function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are exactly what is removed
  return redact(text.replace(/\u001b\[[0-9;]*m/g, ""));
}

const errorText = (e: ErrorLike) =>
  clean(`${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message ?? "(no message)"}`);

/** The behaviour id of a test: `meta.nomad.id`, else the title up to `: `. */
export function idOf(name: string, metaId: string | undefined): string {
  if (metaId) return metaId;
  const i = name.indexOf(": ");
  return i > 0 ? name.slice(0, i) : name;
}

/** Reads one vitest test case into a {@link CaseOutcome}. */
export function outcomeOf(test: TestCase): CaseOutcome {
  const meta = test.meta().nomad;
  const result = test.result();
  const suiteErrors: string[] = [];
  for (
    let p: TestSuite | TestModule | undefined = test.parent;
    p;
    p = p.type === "suite" ? p.parent : undefined
  ) {
    suiteErrors.push(...p.errors().map(errorText));
  }
  const outcome: CaseOutcome = {
    id: idOf(test.name, meta?.id),
    state: result.state,
    errors: (result.errors ?? []).map((e: ErrorLike) => ({
      ...(e.name ? { name: e.name } : {}),
      message: clean(e.message ?? "(no message)"),
      ...(e.diff ? { diff: clean(e.diff) } : {}),
    })),
    exchanges: meta?.exchanges ?? [],
    seen: meta?.seen ?? {},
    drift: meta?.drift ?? [],
  };
  if (result.state === "skipped" && result.note) outcome.note = clean(result.note);
  if (suiteErrors.length) outcome.suiteErrors = suiteErrors;
  const duration = test.diagnostic()?.duration;
  if (duration !== undefined) outcome.durationMs = duration;
  return outcome;
}

/** Collects the outcomes and writes the reports when the run ends. */
export class ConformanceReporter implements Reporter {
  /** The results of the last run, once written. */
  results: RunResults | undefined;
  private startedAt = new Date();
  private readonly modules: TestModule[] = [];
  /** Tests that started, so a test still running at a cancellation is reported as unfinished. */
  private readonly started = new Set<TestCase>();
  private readonly options: ConformanceReporterOptions;

  constructor(options: ConformanceReporterOptions) {
    this.options = options;
  }

  onTestRunStart(): void {
    this.startedAt = new Date();
  }

  onTestModuleQueued(module: TestModule): void {
    this.modules.push(module);
  }

  onTestCaseReady(test: TestCase): void {
    this.started.add(test);
  }

  /** Writes the reports from what has finished so far, when vitest never ended the run. */
  flush(): RunResults {
    if (!this.results) this.onTestRunEnd(this.modules, [], "interrupted");
    return this.results as RunResults;
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandled: ReadonlyArray<ErrorLike>,
    reason: TestRunEndReason,
  ): void {
    const o = this.options;
    const outcomes: CaseOutcome[] = [];
    const moduleErrors: Record<string, string> = {};
    for (const m of modules) {
      const errors = m.errors();
      if (errors.length) moduleErrors[basename(m.moduleId)] = errors.map(errorText).join("; ");
      for (const test of m.children.allTests()) outcomes.push(outcomeOf(test));
    }
    for (const test of this.started) {
      const outcome = outcomeOf(test);
      if (!outcomes.some((x) => x.id === outcome.id)) outcomes.push(outcome);
    }
    const runErrors = unhandled.map((e) => `unhandled error: ${errorText(e)}`);
    const cancelled = o.cancelled?.();
    if (cancelled) runErrors.push(cancelled);
    for (const [file, message] of Object.entries(moduleErrors)) runErrors.push(`${file}: ${message}`);
    const operationOf = (id: string) => o.catalogue.find((b) => b.id === id)?.operation ?? "unknown";
    this.results = buildResults({
      catalogue: o.catalogue,
      outcomes,
      moduleErrors,
      runErrors,
      filter: o.filter,
      interrupted: reason === "interrupted" || Boolean(cancelled),
      families: o.families,
      drift: computeDrift(outcomes, operationOf, o.spec),
      config: o.config,
      target: o.target,
      runId: o.runId,
      version: o.version,
      startedAt: this.startedAt,
      finishedAt: new Date(),
    });
    writeReports(o.outDir, this.results);
  }
}
