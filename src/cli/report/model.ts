/**
 * The data of one conformance run as written to results.json and rendered into report.html,
 * summary.md and the console summary.
 */
import type { AgentFacts } from "../../conformance/target.ts";
import type { Exchange, Requirement } from "../../conformance/types.ts";
import type { Counts, Status } from "./status.ts";

/** How one test case ended, as read from vitest (or built by hand in unit tests). */
export interface CaseOutcome {
  /** Behaviour id (the title up to `: `). */
  id: string;
  state: "passed" | "failed" | "skipped" | "pending";
  /** The `skip(reason)` note. */
  note?: string;
  errors: { name?: string; message: string; diff?: string }[];
  exchanges?: Exchange[];
  seen?: Record<string, string[]>;
  drift?: { operation: string; schema: string; property: string; kind: string }[];
  durationMs?: number;
  /** Errors of a suite (describe) around the test, e.g. a failed beforeAll. */
  suiteErrors?: string[];
}

/** One behaviour in the report. */
export interface BehaviourResult {
  id: string;
  testname: string;
  description: string;
  operation: string;
  check: string;
  /** Spec tag of the operation (Agent, Client FS …). */
  family: string;
  file: string;
  requires: Requirement[];
  status: Status;
  /** Why it was skipped or disabled. */
  note?: string;
  /** Failure or error message (redacted). */
  message?: string;
  durationMs?: number;
  exchanges: Exchange[];
}

/** One operation: the highest status among its behaviours, and per check. */
export interface OperationResult {
  operation: string;
  family: string;
  status: Status;
  counts: Counts;
  checks: Record<string, Status>;
}

/** A drift finding, aggregated over behaviours. */
export interface DriftFinding {
  schema: string;
  property: string;
  operations: string[];
  behaviours: string[];
}

/** Properties seen but not declared, and declared but never seen. */
export interface DriftReport {
  unknownProperties: DriftFinding[];
  neverSeen: DriftFinding[];
  /** Schemas whose bodies were observed (never-seen is computed for these only). */
  observedSchemas: string[];
}

/** The run settings as reported (the token is never included). */
export interface ReportConfig {
  target: string;
  token: "<redacted>" | "(none)";
  allowWrites: boolean;
  timeoutMs: number;
  filter: string | null;
  out: string;
  configFile: string | null;
  allocId: string | null;
  task: string | null;
  sources: Record<string, string>;
}

/** What is known about the target. */
export interface ReportTarget {
  kind: "fixtures" | "live";
  address: string;
  facts?: AgentFacts;
}

/** Everything results.json holds. */
export interface RunResults {
  schemaVersion: 1;
  tool: { name: "nomad-conformance"; version: string };
  runId: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  verdict: "conformant" | "not conformant";
  /** The run ended normally, or was cancelled (deadline, signal). */
  interrupted: boolean;
  config: ReportConfig;
  target: ReportTarget;
  counts: Counts;
  behaviours: BehaviourResult[];
  operations: OperationResult[];
  /** Run-level problems: unhandled errors, test files that failed to load, cancellation. */
  errors: string[];
  drift: DriftReport;
}

/** Preferred column order of the operation × check matrix; other checks follow alphabetically. */
export const CHECK_ORDER = ["shape", "method", "acl", "semantics", "stream", "errors"];

/** The checks present in `behaviours`, in matrix order. */
export function checksOf(behaviours: readonly BehaviourResult[]): string[] {
  const present = [...new Set(behaviours.map((b) => b.check))];
  const known = CHECK_ORDER.filter((c) => present.includes(c));
  return [...known, ...present.filter((c) => !CHECK_ORDER.includes(c)).sort()];
}
