/**
 * Fixture agent benchmark (`npm run bench:fixtures`; not a timed test). In one run:
 * 1. requests/s and latency of `GET /v1/agent/self` and of a mix of read routes against the real-HTTP
 *    fixture agent (bench/fixture-server.ts, its own process on 127.0.0.1) and, in alternating rounds,
 *    against the Stoplight Prism mock server serving the same dist/openapi.json (its own process on
 *    another loopback port); the ratio fixture / Prism;
 * 2. N concurrent followed log streams (`fs/logs?follow=true` on the seeded alloc, a line appended
 *    every 100 ms) held open, with the fixture process's heap (after forced GC) sampled against a bound.
 *
 * Env: BENCH_FIXTURES_SECONDS (per round and scenario, default 5), BENCH_FIXTURES_ROUNDS (default 3),
 * BENCH_FIXTURES_CONNECTIONS (keep-alive connections, default 32), BENCH_FIXTURES_STREAMS (default 500),
 * BENCH_FIXTURES_HOLD_SECONDS (default 30), BENCH_FIXTURES_PRISM=0 to skip Prism.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { bundleSpec } from "../scripts/bundle.ts";
import { type LoadResult, openStreams, quantile, runLoad } from "./load.ts";

const MIB = 1024 * 1024;
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;
const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const seconds = env("BENCH_FIXTURES_SECONDS", 5);
const rounds = env("BENCH_FIXTURES_ROUNDS", 3);
const connections = env("BENCH_FIXTURES_CONNECTIONS", 32);
const streamCount = env("BENCH_FIXTURES_STREAMS", 500);
const holdSeconds = env("BENCH_FIXTURES_HOLD_SECONDS", 30);
/** Stated bound: heap growth of the fixture process (after GC) while the streams are held open. */
const HEAP_GROWTH_BOUND = 16 * MIB;
const root = fileURLToPath(new URL("..", import.meta.url));
const prismBin = `${root}node_modules/.bin/prism`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Mem = NodeJS.MemoryUsage & { gc: boolean };
interface Fixture {
  child: ChildProcess;
  url: string;
  allocId: string;
  task: string;
  mem(): Promise<Mem>;
}

function startFixture(): Promise<Fixture> {
  const child = fork(fileURLToPath(new URL("./fixture-server.ts", import.meta.url)), [], {
    execArgv: ["--expose-gc", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("fixture server did not start in 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`fixture server exited with ${code}`)));
    child.once("message", (m: { url: string; allocId: string; task: string }) => {
      clearTimeout(timer);
      const mem = () =>
        new Promise<Mem>((res) => {
          child.once("message", (r: Mem) => res(r));
          child.send({ type: "mem" });
        });
      resolve({ child, url: m.url, allocId: m.allocId, task: m.task, mem });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once("error", reject);
  });
}

/** Starts Prism on a free loopback port; resolves with its URL, or with the reason it could not run. */
async function startPrism(): Promise<{ child?: ChildProcess; url?: string; failure?: string }> {
  if (!existsSync(prismBin)) return { failure: "@stoplight/prism-cli is not installed" };
  const port = await freePort();
  const child = spawn(
    prismBin,
    ["mock", "-h", "127.0.0.1", "-p", String(port), "-v", "silent", "dist/openapi.json"],
    {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output = (output + c).slice(-4000)));
  child.stderr?.on("data", (c: Buffer) => (output = (output + c).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
    if (child.exitCode !== null) return { failure: `prism exited with ${child.exitCode}: ${output.trim()}` };
    const ok = await fetch(`${url}/v1/agent/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, url };
  }
  child.kill();
  return { failure: `prism did not answer within 60 s: ${output.trim()}` };
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const concat = (rs: LoadResult[]) => {
  const out = new Float64Array(rs.reduce((n, r) => n + r.latencies.length, 0));
  let at = 0;
  for (const r of rs) {
    out.set(r.latencies, at);
    at += r.latencies.length;
  }
  return out;
};
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

bundleSpec();
const fixture = await startFixture();
const prism =
  process.env.BENCH_FIXTURES_PRISM === "0"
    ? { failure: "skipped (BENCH_FIXTURES_PRISM=0)" }
    : await startPrism();
const { allocId: a, task } = fixture;
const scenarios: Record<string, string[]> = {
  "GET /v1/agent/self": ["/v1/agent/self"],
  "read mix (12 routes)": [
    "/v1/agent/self",
    "/v1/agent/members",
    "/v1/agent/servers",
    "/v1/agent/health",
    "/v1/agent/schedulers",
    "/v1/agent/schedulers/config",
    "/v1/client/metadata",
    "/v1/client/stats",
    `/v1/client/allocation/${a}/stats`,
    `/v1/client/fs/ls/${a}?path=alloc/logs`,
    `/v1/client/fs/stat/${a}?path=alloc/logs/${task}.stdout.0`,
    "/v1/operator/raft/configuration",
  ],
};
const targets: [string, string][] = [["fixture", fixture.url]];
if (prism.url) targets.push(["prism", prism.url]);
console.log(`node ${process.version}; targets: ${targets.map(([n, u]) => `${n} ${u}`).join(", ")}`);
if (prism.failure) console.log(`prism: ${prism.failure}`);

const results: Record<string, LoadResult[]> = {};
/** Server CPU ms per request, per round: less sensitive to other load on a shared machine than req/s. */
const cpuPerRequest: Record<string, number[]> = {};
for (const [, url] of targets)
  await runLoad({
    url,
    paths: scenarios["read mix (12 routes)"] as string[],
    connections,
    durationMs: 2_000,
  });
for (let r = 0; r < rounds; r++) {
  for (const [scenario, paths] of Object.entries(scenarios)) {
    const order = r % 2 === 0 ? targets : [...targets].reverse();
    for (const [name, url] of order) {
      const pid = name === "fixture" ? fixture.child.pid : prism.child?.pid;
      const cpu0 = cpuMs(pid);
      const res = await runLoad({ url, paths, connections, durationMs: seconds * 1000 });
      cpuPerRequest[`${name}|${scenario}`] = [
        ...(cpuPerRequest[`${name}|${scenario}`] ?? []),
        (cpuMs(pid) - cpu0) / res.requests,
      ];
      const key = `${name}|${scenario}`;
      results[key] = [...(results[key] ?? []), res];
      console.log(
        `round ${r + 1} ${name.padEnd(7)} ${scenario}: ${fmt((res.requests * 1000) / res.elapsedMs)} req/s`,
      );
    }
  }
}

console.log(
  `\n| scenario | target | req/s (median of ${rounds}) | p50 ms | p99 ms | server CPU ms/req | non-2xx | errors |`,
);
console.log("|---|---|---:|---:|---:|---:|---|---:|");
const rps: Record<string, number> = {};
for (const scenario of Object.keys(scenarios)) {
  for (const [name] of targets) {
    const rs = results[`${name}|${scenario}`] ?? [];
    const lat = concat(rs);
    rps[`${name}|${scenario}`] = median(rs.map((x) => (x.requests * 1000) / x.elapsedMs));
    const non2xx: Record<number, number> = {};
    for (const x of rs) for (const [s, n] of Object.entries(x.non2xx)) non2xx[+s] = (non2xx[+s] ?? 0) + n;
    const codes =
      Object.entries(non2xx)
        .map(([s, n]) => `${s}×${n}`)
        .join(" ") || "0";
    const errors = rs.reduce((n, x) => n + x.errors, 0);
    console.log(
      `| ${scenario} | ${name} | ${fmt(rps[`${name}|${scenario}`] ?? 0)} | ${fmt(quantile(lat, 0.5), 2)} | ${fmt(quantile(lat, 0.99), 2)} | ${fmt(median(cpuPerRequest[`${name}|${scenario}`] ?? []), 2)} | ${codes} | ${errors} |`,
    );
  }
  if (prism.url) {
    const ratio = (rps[`fixture|${scenario}`] ?? 0) / (rps[`prism|${scenario}`] ?? 1);
    const cpu = (k: string) => median(cpuPerRequest[k] ?? []);
    const cpuRatio = cpu(`prism|${scenario}`) / cpu(`fixture|${scenario}`);
    console.log(
      `| ${scenario} | **fixture / prism** | **${fmt(ratio, 2)}×** | | | **${fmt(cpuRatio, 2)}× less CPU** | | |`,
    );
  }
}
prism.child?.kill("SIGTERM");

// Streams: N followed log streams held open while the task keeps writing.
const mib = (n: number) => `${fmt(n / MIB, 1)} MiB`;
const before = await fixture.mem();
const path = `/v1/client/fs/logs/${a}?task=${task}&type=stdout&follow=true`;
const t0 = performance.now();
const streams = await openStreams({ url: fixture.url, path, count: streamCount });
const openMs = performance.now() - t0;
fixture.child.send({ type: "append", everyMs: 100 });
await sleep(1_000);
const atOpen = await fixture.mem();
const samples: number[] = [atOpen.heapUsed];
let peakRss = atOpen.rss;
for (let s = 0; s < holdSeconds; s += 5) {
  await sleep(Math.min(5, holdSeconds - s) * 1000);
  const m = await fixture.mem();
  samples.push(m.heapUsed);
  peakRss = Math.max(peakRss, m.rss);
}
const atEnd = await fixture.mem();
const bytes = streams.bytes();
const stillOpen = streams.open() - streams.ended();
streams.close();
await sleep(2_000);
const afterClose = await fixture.mem();
fixture.child.send({ type: "stop" });

const growth = atEnd.heapUsed - atOpen.heapUsed;
console.log(
  `\nstreams: ${streamCount} × GET ${path.replace(a, "<alloc>")}, held ${holdSeconds} s, 1 line / 100 ms`,
);
console.log(
  `  opened in ${fmt(openMs)} ms; open at the end: ${stillOpen}/${streamCount}; ended early: ${streams.ended()}`,
);
console.log(`  bytes per stream: min ${fmt(Math.min(...bytes))}, max ${fmt(Math.max(...bytes))}`);
console.log(
  `  heap after GC: before ${mib(before.heapUsed)}, streams open ${mib(atOpen.heapUsed)} (${fmt((atOpen.heapUsed - before.heapUsed) / streamCount / 1024, 1)} KiB/stream), end ${mib(atEnd.heapUsed)}, after close ${mib(afterClose.heapUsed)}`,
);
console.log(
  `  heap samples (5 s): ${samples.map((x) => fmt(x / MIB, 1)).join(", ")} MiB; rss before ${mib(before.rss)}, peak ${mib(peakRss)}, after close ${mib(afterClose.rss)}`,
);
const ok = growth <= HEAP_GROWTH_BOUND && stillOpen === streamCount && before.gc;
console.log(
  `  heap growth while held: ${mib(growth)} (bound ${mib(HEAP_GROWTH_BOUND)}): ${ok ? "met" : "NOT MET"}`,
);
process.exitCode = ok ? 0 : 1;
