/**
 * `run`: starts vitest through its Node API (`startVitest`, vitest 4.1.12 pinned — the API is
 * experimental) with only the `conformance` project. Settings reach the workers as environment
 * variables; --filter becomes a test-name pattern plus the matching test files. Reporters: progress
 * lines, vitest's junit (redacted into <out>/junit.xml afterwards) and the conformance reports.
 * The run is bounded: past the deadline it is cancelled, and a close that hangs is abandoned.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { Reporter, Vitest } from "vitest/node";

/** vitest's cancel reason type (a string; not exported under a stable name). */
type CancelReason = Parameters<Vitest["cancelCurrentRun"]>[0];

import { addSecret, redact } from "../conformance/redact.ts";
import { type AgentFacts, FIXTURE_ADDRESS } from "../conformance/target.ts";
import type { Behaviour } from "../conformance/types.ts";
import type { SpecNode } from "../spec/load.ts";
import type { RunSettings } from "./config.ts";
import { CliError, EXIT } from "./errors.ts";
import { selectBehaviours, testNamePattern } from "./filter.ts";
import { renderConsoleSummary } from "./report/console.ts";
import type { ReportConfig, RunResults } from "./report/model.ts";
import { ProgressReporter } from "./report/progress.ts";
import { ConformanceReporter } from "./report/reporter.ts";
import { moveRedacted } from "./report/write.ts";

/** Per-test and per-hook bounds the suite uses (behaviour() and vitest.config.ts). */
const TEST_TIMEOUT_MS = 60_000;
const HOOK_TIMEOUT_MS = 60_000;
/** How long a cancelled run may take to close before it is abandoned. */
const CLOSE_GRACE_MS = 15_000;

/** What `runSuite` needs. */
export interface RunOptions {
  settings: RunSettings;
  catalogue: readonly Behaviour[];
  families: Record<string, string>;
  spec?: SpecNode;
  /** Facts from the preflight (live targets). */
  facts?: AgentFacts;
  version: string;
  /** Project root and vitest config (defaults: this package). */
  root?: string;
  configFile?: string;
  project?: string;
  /** Overall bound in ms (default: the sum of the per-test and per-hook timeouts, plus a minute). */
  deadlineMs?: number;
  /** How long a cancelled run may take to stop before it is abandoned (default 15 s). */
  closeGraceMs?: number;
  /** Where progress and the summary go (default process.stdout). */
  out?: NodeJS.WritableStream;
}

/** The outcome of a run. */
export interface RunOutcome {
  exitCode: number;
  results: RunResults | undefined;
}

/** A writable that redacts every chunk before passing it on. */
function redacting(target: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      target.write(redact(chunk.toString()));
      done();
    },
  });
}

/** The run settings as results.json shows them (no token). */
export function reportConfig(s: RunSettings): ReportConfig {
  return {
    target: s.target,
    token: s.token ? "<redacted>" : "(none)",
    allowWrites: s.allowWrites,
    timeoutMs: s.timeoutMs,
    filter: s.filter ?? null,
    out: s.outDir,
    configFile: s.configFile ?? null,
    allocId: s.allocId ?? null,
    task: s.task ?? null,
    sources: { ...s.sources },
  };
}

/** Runs the conformance project and writes the reports; exit code 0 conformant, 1 not. */
export async function runSuite(options: RunOptions): Promise<RunOutcome> {
  const { settings } = options;
  const out = options.out ?? process.stdout;
  const print = (line: string) => out.write(`${redact(line)}\n`);
  addSecret(settings.token);
  const { selected, files } = selectBehaviours(options.catalogue, settings.filter);
  if (selected.length === 0)
    throw new CliError(
      `no behaviour matches --filter ${JSON.stringify(settings.filter)} (see nomad-conformance list)`,
    );
  Object.assign(process.env, settings.env);
  mkdirSync(settings.outDir, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "nomad-conformance-"));
  const rawJunit = join(scratch, "junit.xml");

  const root = options.root ?? fileURLToPath(new URL("../..", import.meta.url));
  const deadlineMs =
    options.deadlineMs ?? 60_000 + selected.length * TEST_TIMEOUT_MS + files.length * 2 * HOOK_TIMEOUT_MS;
  let vitest: Vitest | undefined;
  let cancelled: string | undefined;
  let hung: NodeJS.Timeout | undefined;
  let giveUp: (value: "hung") => void = () => {};
  // After a cancellation, a vitest that never finishes closing must not keep the CLI alive.
  const abandoned = new Promise<"hung">((resolve) => {
    giveUp = resolve;
  });
  const cancel = (why: string) => {
    if (cancelled) return;
    cancelled = why;
    print(`nomad-conformance: ${why}`);
    hung = setTimeout(() => giveUp("hung"), options.closeGraceMs ?? CLOSE_GRACE_MS);
    void vitest?.cancelCurrentRun(why as CancelReason).catch(() => {});
  };
  const reporter = new ConformanceReporter({
    catalogue: options.catalogue,
    filter: settings.filter,
    outDir: settings.outDir,
    config: reportConfig(settings),
    target: {
      kind: settings.live ? "live" : "fixtures",
      address: settings.live ? settings.target : FIXTURE_ADDRESS,
      ...(options.facts ? { facts: options.facts } : {}),
    },
    runId: settings.runId,
    version: options.version,
    families: options.families,
    ...(options.spec ? { spec: options.spec } : {}),
    cancelled: () => cancelled,
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (cancelled) {
      rmSync(scratch, { recursive: true, force: true });
      process.exit(130);
    }
    cancel(`interrupted by ${signal}`);
  };
  const grab: Reporter = {
    onInit(v) {
      vitest = v;
      // vitest's logger exits the process on SIGINT/SIGTERM; the CLI cancels the run and reports instead.
      for (const sig of ["SIGINT", "SIGTERM"] as const) {
        for (const listener of process.listeners(sig)) if (listener !== onSignal) process.off(sig, listener);
      }
    },
  };
  const where = settings.live ? redact(settings.target) : "the built-in fixture agent";
  print(
    `nomad-conformance: ${selected.length} behaviours in ${files.length} files against ${where} (run ${settings.runId})`,
  );

  const deadline = setTimeout(
    () => cancel(`the run exceeded ${deadlineMs} ms and was cancelled`),
    deadlineMs,
  );
  process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  try {
    const { startVitest } = await import("vitest/node");
    const stdout = redacting(out);
    const started = startVitest(
      "test",
      files,
      {
        root,
        config: options.configFile ?? join(root, "vitest.config.ts"),
        project: [options.project ?? "conformance"],
        run: true,
        watch: false,
        reporters: [
          grab,
          new ProgressReporter(settings.filter, print),
          ["junit", { suiteName: "nomad-conformance" }],
          reporter,
        ],
        outputFile: { junit: rawJunit },
        ...(settings.filter ? { testNamePattern: testNamePattern(selected.map((b) => b.id)) } : {}),
        ...(settings.live ? { fileParallelism: false } : {}),
        passWithNoTests: true,
      },
      {},
      { stdout, stderr: stdout },
    );
    if ((await Promise.race([started, abandoned])) === "hung") {
      print("nomad-conformance: vitest did not stop after the cancellation; giving up");
      const results = reporter.flush();
      out.write(redact(renderConsoleSummary(results)));
      return { exitCode: EXIT.notConformant, results };
    }
  } finally {
    clearTimeout(deadline);
    clearTimeout(hung);
    process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    moveRedacted(rawJunit, join(settings.outDir, "junit.xml"));
    rmSync(scratch, { recursive: true, force: true });
  }
  const results = reporter.results;
  if (!results) {
    print("nomad-conformance: vitest could not run the suite (see the messages above)");
    return { exitCode: EXIT.usage, results };
  }
  out.write(redact(renderConsoleSummary(results)));
  print(`reports: ${settings.outDir}`);
  return { exitCode: results.verdict === "conformant" ? EXIT.conformant : EXIT.notConformant, results };
}
