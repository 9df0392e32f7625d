/**
 * No hang: the CLI against a target that never answers, one that sends headers and stalls, one that
 * trickles a byte a second, and a closed port ends within a bound derived from --timeout — exit 2
 * when the preflight cannot pass, exit 1 when it passes (the recorded /v1/agent/self) and the
 * behaviours then meet the misbehaviour — and leaves no connection open on the server side.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  closedPort,
  type Hostile,
  type Misbehaviour,
  misbehavingServer,
  type Ran,
  runCli,
  silentServer,
} from "./hostile-support.ts";

const TOKEN = "nc-hostile-hang-SECRET-7c1d2e3f4a5b";
const TIMEOUT_MS = 500;
/** Starting node, tsx and (for exit 1) vitest, on a loaded CI machine. */
const STARTUP_MS = 20_000;
/** Per behaviour: a few requests, each bounded by --timeout, plus the longest stream window (2.3 s). */
const PER_BEHAVIOUR_MS = 3 * TIMEOUT_MS + 3_000;
const out = mkdtempSync(join(tmpdir(), "nc-hang-"));
const servers: Hostile[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(out, { recursive: true, force: true });
});

const run = (target: string, extra: string[] = []) =>
  runCli(
    ["run", "--target", target, "--timeout", String(TIMEOUT_MS), ...extra],
    { NOMAD_TOKEN: TOKEN },
    90_000,
  );

function expectClean(r: Ran): void {
  expect(r.signal, "the CLI was killed by the test's bound").toBeNull();
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
}

async function serve(make: () => Promise<Hostile>): Promise<Hostile> {
  const s = await make();
  servers.push(s);
  return s;
}

describe.concurrent("no hang: the preflight cannot pass → exit 2 within the timeout", () => {
  it.each<{ name: string; make: () => Promise<Hostile>; want: RegExp }>([
    {
      name: "accepts, never answers",
      make: silentServer,
      want: /no answer to GET \/v1\/agent\/self within 500 ms/,
    },
    {
      name: "headers, then the body stalls",
      make: () => misbehavingServer("stall-body"),
      want: /the \/v1\/agent\/self body did not arrive within 500 ms/,
    },
    {
      name: "trickles a byte a second",
      make: () => misbehavingServer("trickle"),
      want: /the \/v1\/agent\/self body did not arrive within 500 ms/,
    },
  ])(
    "$name",
    async ({ make, want }) => {
      const server = await serve(make);
      const r = await run(server.url);
      expectClean(r);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(want);
      expect(r.ms).toBeLessThan(STARTUP_MS + 2 * TIMEOUT_MS);
      expect(server.accepted()).toBeGreaterThan(0);
      expect(await server.drained(2_000), "server-side connections left open").toBe(true);
    },
    60_000,
  );

  it("a closed port", async () => {
    const r = await run(await closedPort());
    expectClean(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^nomad-conformance: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/,
    );
    expect(r.ms).toBeLessThan(STARTUP_MS);
  }, 60_000);
});

// One vitest run at a time: three at once on a small CI machine measure the machine, not the CLI.
describe("no hang: the preflight passes, then every route misbehaves → exit 1 within the bound", () => {
  it.each<Misbehaviour>(["silent", "stall-body", "trickle"])(
    "%s",
    async (mode) => {
      const server = await serve(() => misbehavingServer(mode, true));
      const dir = join(out, mode);
      const r = await run(server.url, ["--filter", "agent/monitor", "--out", dir]);
      expectClean(r);
      expect(r.code, r.stderr).toBe(1);
      const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as {
        behaviours: { id: string; status: string; message?: string; durationMs?: number }[];
      };
      const ran = results.behaviours.filter((b) => b.status !== "skip" && b.status !== "disabled");
      expect(ran.length).toBeGreaterThan(3);
      for (const b of ran) {
        expect(b.status, b.id).toBe("fail");
        expect(b.message, b.id).toMatch(/timed out after 500 ms|did not end within 500 ms|expected/);
        expect(b.durationMs ?? 0, b.id).toBeLessThan(PER_BEHAVIOUR_MS);
      }
      expect(r.ms).toBeLessThan(STARTUP_MS + ran.length * PER_BEHAVIOUR_MS);
      expect(await server.drained(2_000), "server-side connections left open").toBe(true);
    },
    120_000,
  );
});
