/**
 * `behaviour(id, fn)`: declares one conformance test from its catalogue entry. The title is
 * `<id>: <testname>`; requirements the target does not meet skip the test with a reason; what the
 * test exchanged with the target is attached to its `meta` for the reports.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { it } from "vitest";
import { behaviourById } from "./catalogue.ts";
import { redact } from "./redact.ts";
import { getTarget, type Target } from "./target.ts";
import type { Behaviour, BehaviourMeta } from "./types.ts";

declare module "vitest" {
  interface TaskMeta {
    nomad?: BehaviourMeta;
  }
}

/** What a behaviour's body receives. */
export interface BehaviourContext {
  target: Target;
  behaviour: Behaviour;
  meta: BehaviourMeta;
  /** Skips the running behaviour with a reason (e.g. the target lacks the needed object). */
  skip: (reason: string) => never;
}

/** The running behaviour's meta, per async context (behaviours may run concurrently). */
const active = new AsyncLocalStorage<BehaviourMeta>();

/**
 * Behaviour bodies still running. When vitest cancels a run (SIGINT, deadline) or a test times out,
 * it stops waiting for the body but does not stop it: the body's `finally` (the restoration) still
 * has to run, and the worker must not be torn down before it has.
 */
const inFlight = new Set<Promise<unknown>>();

/** Waits, at most `ms`, until every behaviour body of this worker has ended. */
export async function drainBehaviours(ms = 10_000): Promise<void> {
  if (inFlight.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled([...inFlight]),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** The meta of the behaviour running now (exchanges are recorded into it), if any. */
export function activeMeta(): BehaviourMeta | undefined {
  return active.getStore();
}

/** A deep copy of a JSON-like value with secrets redacted (other values unchanged). */
function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (value === null || typeof value !== "object") return value;
  try {
    return JSON.parse(redact(JSON.stringify(value)));
  } catch {
    return value;
  }
}

/** Removes every secret the worker knows from an error before vitest serialises it. */
function redactError(error: unknown): unknown {
  if (error instanceof Error) {
    error.message = redact(error.message);
    if (error.stack) error.stack = redact(error.stack);
    const e = error as Error & { actual?: unknown; expected?: unknown };
    e.actual = redactValue(e.actual);
    e.expected = redactValue(e.expected);
  }
  return error;
}

const numeric = (v: string) => (v.match(/^\d+\.\d+\.\d+/)?.[0] ?? "0.0.0").split(".").map(Number);

/** a < b for x.y.z versions (pre-release suffixes ignored). */
export function versionLess(a: string, b: string): boolean {
  const [x, y] = [numeric(a), numeric(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

/** Why `b` cannot run against `t`, or undefined when it can. */
export function skipReason(b: Behaviour, t: Target): string | undefined {
  if (b.deprecated) return "deprecated behaviour";
  if (versionLess(t.agent.version, b.since))
    return `needs Nomad ≥ ${b.since}; the target runs ${t.agent.version}`;
  if (b.until && versionLess(b.until, t.agent.version))
    return `only up to Nomad ${b.until}; the target runs ${t.agent.version}`;
  for (const r of b.requires) {
    if (r === "server" && !t.agent.server) return "the target agent runs no server";
    if (r === "client" && !t.agent.client) return "the target agent runs no client";
    if (r === "acl" && !t.agent.acl) return "ACLs are disabled on the target";
    if (r === "acl" && !t.agent.management) return "no management token (NOMAD_TOKEN) to create test tokens";
    if (r === "management" && !t.agent.management) return "needs a management token (NOMAD_TOKEN)";
    if (r === "gc" && !t.allowGc)
      return "garbage-collects every terminal allocation on the client, which cannot be undone: set NOMAD_CONFORMANCE_ALLOW_GC=1";
    if (r === "writes" && !t.allowWrites) return "changes cluster state: run with --allow-writes";
    if (r === "debug" && !t.agent.debug && !t.agent.acl) return "enable_debug is off and ACLs are disabled";
    if (r === "alloc" && !t.seed.allocId)
      return (
        t.seed.reason ??
        "no allocation: set NOMAD_CONFORMANCE_ALLOC_ID and NOMAD_CONFORMANCE_TASK, or run with --allow-writes"
      );
    if (r === "fixtures" && t.kind !== "fixtures")
      return "only meaningful against the built-in fixture agent";
  }
  return undefined;
}

/** Declares the test for catalogue behaviour `id`. */
export function behaviour(
  id: string,
  fn: (ctx: BehaviourContext) => Promise<void>,
  timeoutMs?: number,
): void {
  const b = behaviourById(id);
  it(
    `${id}: ${b.testname}`,
    async ({ task, skip }) => {
      const target = getTarget();
      const meta: BehaviourMeta = {
        id,
        operation: b.operation,
        check: b.check,
        exchanges: [],
        seen: {},
        drift: [],
      };
      task.meta.nomad = meta;
      const reason = skipReason(b, target);
      if (reason) skip(reason);
      try {
        const body = active.run(meta, () =>
          fn({ target, behaviour: b, meta, skip: (why: string) => skip(why) as never }),
        );
        inFlight.add(body);
        const forget = () => inFlight.delete(body);
        body.then(forget, forget);
        await body;
      } catch (error) {
        throw redactError(error);
      }
    },
    timeoutMs ?? 60_000,
  );
}
