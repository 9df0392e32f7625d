/**
 * Builds the run results from the catalogue and the test outcomes: one status per behaviour on the
 * ladder, roll-ups per operation, counts and the verdict. Pure: no vitest, no files.
 */
import type { Behaviour } from "../../conformance/types.ts";
import { matchesFilter } from "../filter.ts";
import type {
  BehaviourResult,
  CaseOutcome,
  DriftReport,
  OperationResult,
  ReportConfig,
  ReportTarget,
  RunResults,
} from "./model.ts";
import { countStatuses, isConformant, rollUp, type Status } from "./status.ts";

/**
 * Errors that mean the target answered wrongly (→ `fail`), as opposed to the harness breaking
 * (→ `error`): assertion failures, and the client's errors about the agent's answers.
 */
const FAIL_ERRORS = new Set([
  "AssertionError",
  "NomadApiError",
  "NomadMalformedResponseError",
  "NomadTimeoutError",
]);

/** `fail` for an assertion (or a target that answered wrongly or not in time), `error` otherwise. */
export function classifyError(error: { name?: string; message: string } | undefined): "fail" | "error" {
  if (!error) return "error";
  if (error.name && FAIL_ERRORS.has(error.name.replace(/ \[.*\]$/, ""))) return "fail";
  if (/^Test timed out in \d+ms/.test(error.message)) return "fail";
  return "error";
}

/** The message of a failed test: name, message and a bounded diff. */
export function failureMessage(errors: CaseOutcome["errors"]): string {
  return errors
    .map((e) => {
      const head =
        e.name && e.name !== "Error" && !e.message.startsWith(e.name) ? `${e.name}: ${e.message}` : e.message;
      const diff = e.diff ? `\n${e.diff.split("\n").slice(0, 40).join("\n")}` : "";
      return `${head}${diff}`;
    })
    .join("\n\n");
}

/** Status, note and message of one selected behaviour. */
export function statusOf(
  outcome: CaseOutcome | undefined,
  context: { moduleError?: string; interrupted: boolean },
): { status: Status; note?: string; message?: string } {
  if (!outcome) {
    if (context.moduleError)
      return { status: "error", message: `the test file failed: ${context.moduleError}` };
    if (context.interrupted) return { status: "error", message: "not run: the run was cancelled" };
    return { status: "error", message: "no test reported a result for this behaviour" };
  }
  switch (outcome.state) {
    case "passed":
      return { status: "pass" };
    case "failed":
      return { status: classifyError(outcome.errors[0]), message: failureMessage(outcome.errors) };
    case "skipped":
      if (outcome.suiteErrors?.length)
        return { status: "error", message: `set-up failed: ${outcome.suiteErrors.join("; ")}` };
      return { status: "skip", note: outcome.note || "skipped" };
    default:
      return {
        status: "error",
        message: context.interrupted ? "not finished: the run was cancelled" : "did not finish",
      };
  }
}

/** Inputs of {@link buildResults}. */
export interface BuildInput {
  catalogue: readonly Behaviour[];
  outcomes: readonly CaseOutcome[];
  /** Test file basename → load error. */
  moduleErrors: Record<string, string>;
  runErrors: string[];
  filter: string | undefined;
  interrupted: boolean;
  /** Operation → family (spec tag). */
  families: Record<string, string>;
  drift: DriftReport;
  config: ReportConfig;
  target: ReportTarget;
  runId: string;
  version: string;
  startedAt: Date;
  finishedAt: Date;
}

/** Assembles results.json's content. */
export function buildResults(input: BuildInput): RunResults {
  const byId = new Map(input.outcomes.map((o) => [o.id, o]));
  const familyOf = (b: { operation: string; id: string }) =>
    input.families[b.operation] ?? b.id.split("/")[0] ?? "other";
  const behaviours: BehaviourResult[] = input.catalogue.map((b) => {
    const selected = matchesFilter(b.id, input.filter);
    const outcome = byId.get(b.id);
    byId.delete(b.id);
    const base = {
      id: b.id,
      testname: b.testname,
      description: b.description,
      operation: b.operation,
      check: b.check,
      family: familyOf(b),
      file: b.file,
      requires: b.requires,
      exchanges: outcome?.exchanges ?? [],
      ...(outcome?.durationMs !== undefined ? { durationMs: outcome.durationMs } : {}),
    };
    if (!selected)
      return { ...base, status: "disabled" as const, note: `filtered out by --filter ${input.filter}` };
    return {
      ...base,
      ...statusOf(outcome, { moduleError: input.moduleErrors[b.file], interrupted: input.interrupted }),
    };
  });
  // Tests whose id is not in the catalogue still count: hiding them would hide failures.
  for (const outcome of byId.values()) {
    behaviours.push({
      id: outcome.id,
      testname: "(not in the catalogue)",
      description: "",
      operation: "unknown",
      check: "other",
      family: "other",
      file: "",
      requires: [],
      exchanges: outcome.exchanges ?? [],
      ...statusOf(outcome, { interrupted: input.interrupted }),
    });
  }
  behaviours.sort((a, b) => a.id.localeCompare(b.id));

  const operations = new Map<string, BehaviourResult[]>();
  for (const b of behaviours) operations.set(b.operation, [...(operations.get(b.operation) ?? []), b]);
  const opResults: OperationResult[] = [...operations.entries()].map(([operation, list]) => {
    const checks: Record<string, Status> = {};
    for (const b of list) checks[b.check] = rollUp([checks[b.check] ?? "disabled", b.status]);
    return {
      operation,
      family: list[0]?.family ?? "other",
      status: rollUp(list.map((b) => b.status)),
      counts: countStatuses(list.map((b) => b.status)),
      checks,
    };
  });
  opResults.sort((a, b) => a.family.localeCompare(b.family) || a.operation.localeCompare(b.operation));

  const counts = countStatuses(behaviours.map((b) => b.status));
  const conformant = isConformant(counts) && input.runErrors.length === 0 && !input.interrupted;
  return {
    schemaVersion: 1,
    tool: { name: "nomad-conformance", version: input.version },
    runId: input.runId,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: input.finishedAt.getTime() - input.startedAt.getTime(),
    verdict: conformant ? "conformant" : "not conformant",
    interrupted: input.interrupted,
    config: input.config,
    target: input.target,
    counts,
    behaviours,
    operations: opResults,
    errors: input.runErrors,
    drift: input.drift,
  };
}
