/**
 * Write-safety and secrets harness: the fixture agent as a real HTTP server (ACLs on, a bootstrap
 * management token, optional broken handlers in front), a recording proxy (127.0.0.1, port 0) that
 * counts every request by method and path, a snapshot of the world's mutable state, and the CLI as
 * a child process in its own process group (so a test can send Ctrl-C to all of it, and kill it).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { RequestHandler } from "msw";
import {
  createHandlers,
  createWorld,
  DEFAULT_BASE_URL,
  type RunningFixtureServer,
  startFixtureServer,
  type World,
} from "../../src/fixtures/index.ts";
import { mutantHandlers } from "../../src/fixtures/mutants.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** One request as the proxy saw it. */
export interface Recorded {
  method: string;
  /** Path without the query. */
  path: string;
  query: string;
  /** Status the agent answered (undefined while pending or when the exchange broke). */
  status?: number;
}

/** GC routes change state whatever the method (Nomad serves them for any method). */
const GC_ROUTE = /^\/v1\/client\/(gc|allocation\/[^/]+\/gc)$/;

/**
 * Whether a request can change state: PUT, POST and DELETE always (whatever the answer); GETs of
 * the client GC routes; and any other method (the suite's wrong-method probes send PATCH) unless
 * the agent refused it with 405.
 */
export function changesState(r: Recorded): boolean {
  if (["PUT", "POST", "DELETE"].includes(r.method)) return true;
  if (GC_ROUTE.test(r.path)) return true;
  if (r.method === "GET" || r.method === "HEAD") return false;
  return r.status !== 405;
}

/** A recording proxy in front of `upstream`. */
export interface RecordingProxy {
  url: string;
  readonly requests: Recorded[];
  /** `METHOD path` → count. */
  counts(filter?: (r: Recorded) => boolean): Record<string, number>;
  close(): Promise<void>;
}

/**
 * Starts the proxy. `afterUpstream` runs once the agent has answered a request and before the
 * answer is passed on (a test uses it to interrupt the run in the middle of a check).
 */
export async function startRecordingProxy(
  upstream: string,
  afterUpstream?: (r: Recorded) => Promise<void> | undefined,
): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const requests: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const [path = "/", query = ""] = (req.url ?? "/").split("?", 2);
    const rec: Recorded = { method: req.method ?? "GET", path, query };
    requests.push(rec);
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      async (answer) => {
        rec.status = answer.statusCode;
        await afterUpstream?.(rec);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    res.on("close", () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    counts(filter = () => true) {
      const out: Record<string, number> = {};
      for (const r of requests.filter(filter)) {
        const key = `${r.method} ${r.path}`;
        out[key] = (out[key] ?? 0) + 1;
      }
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A fixture agent with ACLs, its management token, the proxy in front, and every SecretID it ever stored. */
export interface SafetyTarget {
  world: World;
  token: string;
  agent: RunningFixtureServer;
  proxy: RecordingProxy;
  /** Every SecretID stored in the world during its life (the bootstrap token included). */
  minted: Set<string>;
  close(): Promise<void>;
}

/** Starts the fixture agent (optionally broken by mutant `mutant` or extra handlers) behind a recording proxy. */
export async function startSafetyTarget(
  options: {
    token?: string;
    mutant?: string;
    extra?: (world: World) => RequestHandler[];
    afterUpstream?: (r: Recorded) => Promise<void> | undefined;
  } = {},
): Promise<SafetyTarget> {
  const token = options.token ?? randomUUID();
  const world = createWorld({
    acl: true,
    bootstrapToken: token,
    raftPeers: 3,
    heartbeatMs: 250,
    pprofSecondMs: 50,
  });
  const minted = new Set<string>(world.acl.tokens.keys());
  const set = world.acl.tokens.set.bind(world.acl.tokens);
  world.acl.tokens.set = (secret, tok) => {
    minted.add(secret);
    return set(secret, tok);
  };
  const faithful = createHandlers(world, { baseUrl: DEFAULT_BASE_URL });
  const extraHandlers = [
    ...(options.extra?.(world) ?? []),
    ...(options.mutant
      ? mutantHandlers(options.mutant, { world, baseUrl: DEFAULT_BASE_URL, handlers: faithful })
      : []),
  ];
  const agent = await startFixtureServer({ world, extraHandlers });
  const proxy = await startRecordingProxy(agent.url, options.afterUpstream);
  return {
    world,
    token,
    agent,
    proxy,
    minted,
    close: async () => {
      await proxy.close();
      await agent.close();
    },
  };
}

/** Sorted, JSON-able copy: Maps become objects, functions and byte arrays are dropped. */
function plain(value: unknown): unknown {
  if (value instanceof Map) return plain(Object.fromEntries(value));
  if (value instanceof Set) return [...value].map(plain);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Uint8Array || typeof value === "function") return undefined;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = plain((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

/**
 * The world's mutable state, piece by piece. Left out: raft indexes, log buffers, file contents, and
 * the scheduler workers' start time (a worker config change restarts them; it is not configuration).
 */
export function snapshot(world: World): Record<string, unknown> {
  const { started: _started, ...scheduler } = world.scheduler;
  return plain({
    servers: world.servers,
    meta: world.meta,
    scheduler,
    aclPolicies: [...world.acl.policies.values()].map(({ parsed: _p, ...p }) => p),
    aclTokens: world.acl.tokens,
    aclBootstrap: world.acl.bootstrapIndex,
    raftPeers: world.raft.servers,
    members: world.members,
    allocs: [...world.allocs.values()].map(({ files: _f, ...a }) => a),
  }) as Record<string, unknown>;
}

/** The outcome of one CLI run. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  ms: number;
}

/** A started CLI run: `done` settles when it exits (killed with its whole group after `killMs`). */
export interface CliProcess {
  pid: number;
  /** Sends `signal` to the CLI alone, or to its whole process group (what Ctrl-C in a terminal does). */
  signal(signal: NodeJS.Signals, group?: boolean): void;
  done: Promise<CliRun>;
}

/** Starts `nomad-conformance <args>` with only the given NOMAD_* variables. */
export function startCli(args: string[], env: Record<string, string>, killMs = 55_000): CliProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NOMAD_|VITEST)/.test(k)));
  const started = Date.now();
  const child = spawn(process.execPath, [`${ROOT}bin/nomad-conformance.js`, ...args], {
    cwd: ROOT,
    env: { ...clean, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid as number;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => err.push(d));
  const kill = setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {}
  }, killMs);
  const done = new Promise<CliRun>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(kill);
      // Workers the CLI left behind must not outlive the test.
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        ms: Date.now() - started,
      });
    });
  });
  return {
    pid,
    signal: (signal, group = false) => {
      try {
        process.kill(group ? -pid : pid, signal);
      } catch {}
    },
    done,
  };
}

/** The environment that points the CLI at `t` with its management token and seeded allocation. */
export const cliEnv = (t: SafetyTarget): Record<string, string> => ({
  NOMAD_TOKEN: t.token,
  NOMAD_CONFORMANCE_ALLOC_ID: t.world.seed.allocId,
  NOMAD_CONFORMANCE_TASK: t.world.seed.task,
});
