/**
 * The conformance target: the built-in fixture agent (default) or a real agent (`NOMAD_ADDR`, or
 * `NOMAD_CONFORMANCE_TARGET=<url>`). Tests only see this module; `tests/conformance/setup.ts` is
 * the one place that knows about the fixtures.
 */

/** Settings of a run, from the environment (the CLI sets these variables). */
export interface TargetConfig {
  kind: "fixtures" | "live";
  /** Agent address (http(s)://host:port); for the fixtures, their in-process base URL. */
  address: string;
  /** The token the suite uses for set-up and reads (a management token enables the ACL matrix). */
  token: string | undefined;
  /** Whether mutating requests may be sent. Always true for the fixtures. */
  allowWrites: boolean;
  /** Whether client GC may run (it destroys terminal allocations: cannot be restored). */
  allowGc: boolean;
  /** Bound on every request, in ms. */
  timeoutMs: number;
  /** A running allocation given by the user (read-only mode) or the run's seed job; else why there is none. */
  seed: { allocId?: string; task?: string; reason?: string };
  /** Run prefix for every object the suite creates (ACL policies, tokens). */
  runId: string;
}

/** What the suite learned about the agent from `/v1/agent/self`. */
export interface AgentFacts {
  version: string;
  server: boolean;
  client: boolean;
  acl: boolean;
  /** The suite's token is a management token (or ACLs are off). */
  management: boolean;
  debug: boolean;
  region: string;
  nodeId: string | undefined;
  /** Serf name of the local server (`<node>.<region>`), if a server. */
  serverName: string | undefined;
}

/** Fixture-only controls, undefined against a real agent (tests needing them skip themselves). */
export interface FixtureControls {
  /** Prepends request handlers for the current test (msw `server.use`). */
  use(...handlers: unknown[]): void;
  /** The fixture world (typed loosely so tests stay free of fixture imports). */
  world: unknown;
}

/** The resolved target, available to tests through {@link getTarget}. */
export interface Target extends TargetConfig {
  agent: AgentFacts;
  /** The agent's stream heartbeat interval: 1 s for Nomad (the fixtures may be configured faster). */
  heartbeatMs: number;
  fixtures: FixtureControls | undefined;
}

const truthy = (v: string | undefined) => v !== undefined && /^(1|t|true|yes|on)$/i.test(v.trim());

/** In-process base URL of the fixture agent: unresolvable, so a request msw misses fails loudly. */
export const FIXTURE_ADDRESS = "http://nomad.fixture.invalid:4646";

/** Reads the run settings from the environment. */
export function targetConfigFromEnv(env: Record<string, string | undefined> = process.env): TargetConfig {
  const explicit = env.NOMAD_CONFORMANCE_TARGET?.trim();
  const live = explicit ? explicit !== "fixtures" : Boolean(env.NOMAD_ADDR?.trim());
  const timeout = Number(env.NOMAD_CONFORMANCE_TIMEOUT ?? "10000");
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new Error(
      `NOMAD_CONFORMANCE_TIMEOUT must be a positive number of ms, got ${env.NOMAD_CONFORMANCE_TIMEOUT}`,
    );
  }
  return {
    kind: live ? "live" : "fixtures",
    address: live
      ? explicit && explicit !== "fixtures"
        ? explicit
        : (env.NOMAD_ADDR as string)
      : FIXTURE_ADDRESS,
    token: env.NOMAD_TOKEN?.trim() || undefined,
    allowWrites: live ? truthy(env.NOMAD_CONFORMANCE_ALLOW_WRITES) : true,
    allowGc: live ? truthy(env.NOMAD_CONFORMANCE_ALLOW_GC) : true,
    timeoutMs: timeout,
    seed: {
      allocId: env.NOMAD_CONFORMANCE_ALLOC_ID?.trim() || undefined,
      task: env.NOMAD_CONFORMANCE_TASK?.trim() || undefined,
    },
    runId: env.NOMAD_CONFORMANCE_RUN_ID?.trim() || `nc-${Date.now().toString(36)}`,
  };
}

let current: Target | undefined;

/** Installs the resolved target (called once per test file by the setup module). */
export function setTarget(target: Target): void {
  current = target;
}

/** The resolved target; throws when the setup module did not run. */
export function getTarget(): Target {
  if (!current) throw new Error("No conformance target: tests/conformance/setup.ts did not run");
  return current;
}

/** Reads the facts the suite needs from an `/v1/agent/self` body. */
export function factsFromSelf(self: unknown): AgentFacts {
  const s = self as {
    config?: {
      Version?: { Version?: string; VersionPrerelease?: string };
      Server?: { Enabled?: boolean };
      Client?: { Enabled?: boolean };
      ACL?: { Enabled?: boolean };
      EnableDebug?: boolean;
      Region?: string;
    };
    member?: { Name?: string };
    stats?: { client?: { node_id?: string } };
  };
  const c = s?.config;
  if (!c?.Version?.Version) throw new Error("/v1/agent/self has no config.Version.Version");
  const server = Boolean(c.Server?.Enabled);
  return {
    version: c.Version.Version,
    server,
    client: Boolean(c.Client?.Enabled),
    acl: Boolean(c.ACL?.Enabled),
    management: !c.ACL?.Enabled,
    debug: Boolean(c.EnableDebug),
    region: c.Region ?? "global",
    nodeId: s.stats?.client?.node_id || undefined,
    serverName: server ? s.member?.Name || undefined : undefined,
  };
}
