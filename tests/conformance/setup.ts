/**
 * Setup of every conformance test file: resolves the target and, for the default target, starts the
 * built-in fixture agent in-process (the only place that knows about fixtures). Then it learns what
 * the agent is (version, roles, ACLs) from /v1/agent/self.
 */
import { afterAll, afterEach, inject } from "vitest";
import { createNomadClient } from "../../src/client/index.ts";
import { drainBehaviours } from "../../src/conformance/behaviour.ts";
import { readBounded } from "../../src/conformance/http.ts";
import { addSecret } from "../../src/conformance/redact.ts";
import {
  type AgentFacts,
  type FixtureControls,
  factsFromSelf,
  setTarget,
  targetConfigFromEnv,
} from "../../src/conformance/target.ts";

const config = targetConfigFromEnv();
// Registered first, so it runs last: a cancelled behaviour's restoration finishes before teardown.
afterAll(() => drainBehaviours());
// Ctrl-C reaches every process of the terminal's group, vitest's fork workers too: a worker must not
// die mid-behaviour (its restoration would never run); the CLI (or vitest) cancels the run instead.
process.on("SIGINT", () => {});
let fixtures: FixtureControls | undefined;
let heartbeatMs = 1_000;

if (config.kind === "fixtures") {
  const { createFixtureServer, createWorld } = await import("../../src/fixtures/index.ts");
  const { mutantHandlers } = await import("../../src/fixtures/mutants.ts");
  const token = "5f0e2c41-7d3a-4b8e-9c16-2a4f6b8d0e13";
  const world = createWorld({
    acl: true,
    bootstrapToken: token,
    raftPeers: 3,
    heartbeatMs: 250,
    pprofSecondMs: 50,
  });
  const server = createFixtureServer(world);
  const mutant = process.env.NOMAD_CONFORMANCE_FIXTURE_MUTANT;
  const broken = () =>
    mutant ? mutantHandlers(mutant, { world, baseUrl: server.baseUrl, handlers: server.handlers }) : [];
  server.use(...broken());
  server.listen({ onUnhandledRequest: "error" });
  afterEach(() => {
    server.resetHandlers();
    server.use(...broken());
  });
  afterAll(() => server.close());
  heartbeatMs = world.timing.heartbeatMs;
  config.address = server.baseUrl;
  config.token = token;
  config.seed = { allocId: world.seed.allocId, task: world.seed.task };
  fixtures = { use: (...handlers) => server.use(...(handlers as Parameters<typeof server.use>)), world };
} else {
  // The allocation given by the user or the run's seed job (tests/conformance/global-seed.ts).
  const seeded = inject("nomadConformanceSeed");
  if (seeded) config.seed = { allocId: seeded.allocId, task: seeded.task, reason: seeded.reason };
}
addSecret(config.token);

/** Asks the agent what it is; a failure here is a harness error with a readable message. */
async function discover(): Promise<AgentFacts> {
  const client = createNomadClient({
    address: config.address,
    token: config.token,
    timeoutMs: config.timeoutMs,
    env: { ...process.env, NOMAD_TOKEN: undefined },
  });
  /** A bounded JSON read: a hostile target cannot make set-up read without limit. */
  const read = async (path: string) => {
    const { response } = await client.request("get" as never, path as never, { parseAs: "stream" } as never);
    const body = await readBounded(response, { maxBytes: 1024 * 1024, timeoutMs: config.timeoutMs });
    let json: unknown;
    try {
      json = JSON.parse(body.text);
    } catch {
      json = undefined;
    }
    return { status: body.status, json };
  };
  const self = await read("/v1/agent/self");
  if (self.status !== 200)
    throw new Error(`GET /v1/agent/self answered ${self.status}: cannot learn what the target is`);
  const facts = factsFromSelf(self.json);
  if (facts.acl && config.token) {
    facts.management =
      ((await read("/v1/acl/token/self")).json as { Type?: string } | undefined)?.Type === "management";
  }
  return facts;
}

setTarget({ ...config, agent: await discover(), fixtures, heartbeatMs });
