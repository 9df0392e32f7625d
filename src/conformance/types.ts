/**
 * Data shared between the conformance tests (which run in vitest workers) and the CLI's reporter:
 * the catalogue entry of a behaviour and what a test attaches to its vitest task `meta`.
 */

/** What a behaviour needs from the target before it can run; unmet → skipped with a reason. */
export type Requirement =
  | "server" // the agent runs a server
  | "client" // the agent runs a client
  | "acl" // ACLs are enabled and a management token is available
  | "management" // the suite's token is a management token, or ACLs are disabled
  | "writes" // the user allowed mutating requests (always true for the fixtures)
  | "gc" // the user allowed garbage collection of terminal allocations, which cannot be undone
  | "debug" // enable_debug (or ACLs) so pprof/host answer
  | "alloc" // a running allocation with known output is available
  | "fixtures"; // only meaningful against the built-in fixture agent

/** One entry of conformance/behaviours.yaml (or derived from the spec). */
export interface Behaviour {
  /** Stable, lower-case, slash-separated; never renamed. */
  id: string;
  /** One line: request → expectation. The test title is `<id>: <testname>`. */
  testname: string;
  /** RFC 2119 MUST / MUST NOT statement, readable without the code. */
  description: string;
  /** The operation (`x-nomad-operation`) the behaviour exercises. */
  operation: string;
  /** The check family shown as a column in report.html (shape, method, acl, semantics, stream, errors …). */
  check: string;
  /** First Nomad version with the behaviour. */
  since: string;
  /** Last Nomad version with the behaviour, if it went away. */
  until?: string;
  requires: Requirement[];
  /** Who says so: the docs page, only the agent (source/observed), or both. */
  source: "docs" | "agent" | "both";
  /** Test file (relative to tests/conformance/) that implements it. */
  file: string;
  /** Whether the entry was derived from the spec rather than written by hand. */
  derived?: boolean;
  deprecated?: boolean;
}

/** A request/response excerpt attached to a test for the report (secrets already redacted). */
export interface Exchange {
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body: string; truncated: boolean };
  error?: string;
}

/** A property seen in a response but absent from the spec, or declared but never seen. */
export interface DriftEntry {
  operation: string;
  /** Schema pointer in the bundled spec. */
  schema: string;
  /** Dotted property path inside the body, e.g. `config.Client.Foo`. */
  property: string;
  kind: "unknown-property" | "never-seen";
}

/** What a conformance test puts on `task.meta.nomad` for the reporter. */
export interface BehaviourMeta {
  id: string;
  operation: string;
  check: string;
  exchanges: Exchange[];
  /** Properties seen per schema pointer (for the "never seen" half of the drift report). */
  seen: Record<string, string[]>;
  drift: DriftEntry[];
}
