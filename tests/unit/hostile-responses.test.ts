/**
 * Hostile or broken answers: the CLI runs against a corrupting proxy in front of the fixture
 * agent's real HTTP server (so the preflight passes and everything else is realistic). Each
 * corruption is reported as a failure of the behaviour concerned, with a readable message; the
 * runner does not crash (exit 1, no stack trace, clean console). A certificate that does not match
 * the name ends at the preflight with exit 2 and a TLS message.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, type RunningFixtureServer, startFixtureServer } from "../../src/fixtures/index.ts";
import { makePki } from "./client-support.ts";
import { type CorruptingProxy, corruptingProxy } from "./hostile-proxy.ts";
import { type Ran, runCli, tlsServer } from "./hostile-support.ts";

const TOKEN = "nc-hostile-resp-SECRET-3e4f5a6b7c8d";
const MIB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "nc-hostile-"));

interface Result {
  id: string;
  status: string;
  message?: string;
}

let fixture: RunningFixtureServer;
let proxy: CorruptingProxy;
let ran: Ran;
let results: Map<string, Result>;

beforeAll(async () => {
  fixture = await startFixtureServer({ world: createWorld({ heartbeatMs: 250, pprofSecondMs: 50 }) });
  proxy = await corruptingProxy(fixture.url, [
    { path: /^\/v1\/agent\/members$/, corrupt: "truncate-json" },
    { path: /^\/v1\/agent\/servers$/, corrupt: "wrong-content-type" },
    { path: /^\/v1\/agent\/host$/, corrupt: "junk-10mib" },
    { path: /^\/v1\/client\/stats$/, corrupt: "junk-error-endless" },
    { path: /^\/v1\/operator\/raft\/configuration$/, corrupt: "invalid-utf8" },
    { path: /^\/v1\/agent\/monitor$|^\/v1\/client\/fs\/(stream|logs)\//, corrupt: "garbage-frames" },
    { path: /^\/v1\/agent\/schedulers$/, corrupt: "redirect-loop" },
  ]);
  const { allocId, task } = fixture.world.seed;
  ran = await runCli(
    ["run", "--target", proxy.url, "--timeout", "2000", "--out", join(dir, "out")],
    { NOMAD_TOKEN: TOKEN, NOMAD_CONFORMANCE_ALLOC_ID: allocId, NOMAD_CONFORMANCE_TASK: task },
    150_000,
  );
  const json = JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8")) as { behaviours: Result[] };
  results = new Map(json.behaviours.map((b) => [b.id, b]));
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await fixture?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a corrupting proxy in front of the fixture agent", () => {
  it("ends with exit 1, a readable console and no stack trace", async () => {
    expect(ran.signal).toBeNull();
    expect(ran.code, ran.stderr).toBe(1);
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    expect(ran.stdout).toMatch(/verdict: not conformant/);
    // Junk bodies never reach the terminal: no control characters or escape sequences.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what is checked
    expect(ran.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/);
    expect(`${ran.stdout}${ran.stderr}`).not.toContain(TOKEN);
    expect(await proxy.drained(3_000), "proxy connections left open").toBe(true);
  });

  it.each<{ corruption: string; id: string; want: RegExp }>([
    { corruption: "truncated JSON", id: "spec/agent-members/shape", want: /body is not JSON/ },
    {
      corruption: "wrong content type",
      id: "spec/agent-servers/shape",
      want: /Content-Type text\/html; charset=utf-8 is not one of application\/json/,
    },
    { corruption: "10 MiB junk", id: "spec/agent-host/shape", want: /body is not JSON/ },
    {
      corruption: "endless junk on an error",
      id: "spec/client-stats/shape",
      want: /Content-Type text\/plain is not one of text\/plain; charset=utf-8 for 500/,
    },
    {
      corruption: "invalid UTF-8 in JSON",
      id: "spec/operator-raft-get-configuration/shape",
      want: /body is not JSON/,
    },
    {
      corruption: "garbage frames (monitor)",
      id: "spec/agent-monitor/shape",
      want: /not well-formed concatenated JSON frames: stream frame #0 at byte 0: Offset must be/,
    },
    {
      corruption: "garbage frames (fs/logs)",
      id: "spec/alloc-fs-logs/shape",
      want: /not well-formed concatenated JSON frames/,
    },
    {
      corruption: "garbage frames (fs/stream)",
      id: "client-fs/stream/offsets-and-data-match-cat",
      want: /Offset must be a non-negative integer/,
    },
    {
      corruption: "redirect loop",
      id: "spec/agent-get-scheduler-workers-info/shape",
      want: /status 307 is not declared/,
    },
  ])("$corruption → $id fails: $want", ({ id, want }) => {
    const r = results.get(id);
    expect(r?.status, id).toBe("fail");
    expect(r?.message).toMatch(want);
  });

  it("fails (never passes) the semantic behaviours of every corrupted route", () => {
    for (const id of [
      "agent/members/includes-answering-server",
      "agent/host/bare-without-target",
      "client/stats/cpu-fields",
      "operator/raft/configuration-one-leader",
      "agent/monitor/frames-decode",
      "client-fs/logs/frames-name-the-file",
      "agent/schedulers/one-entry-per-worker",
    ]) {
      const r = results.get(id);
      expect(["fail", "error"], id).toContain(r?.status);
      expect(r?.message, id).toBeTruthy();
    }
    // Behaviours on routes the proxy leaves alone still pass: the failures are the corruption's.
    expect(results.get("agent/self/version-object")?.status).toBe("pass");
    expect(results.get("agent/health/ok-per-role")?.status).toBe("pass");
  });

  it("bounds what it reads and follows no redirect", () => {
    // An error body is read up to 1 MiB, never to the end (the proxy offers 512 MiB per answer).
    const errors = proxy.hits["junk-error-endless"] ?? 0;
    expect(errors).toBeGreaterThan(0);
    expect(proxy.junkWritten["junk-error-endless"] ?? 0).toBeLessThan(errors * 16 * MIB);
    // One hop per request: the 307 is reported, not followed.
    expect(proxy.hits["redirect-loop"] ?? 0).toBeLessThanOrEqual(4);
  });
});

describe("a TLS certificate that does not match the name", () => {
  it("exit 2 at the preflight with a TLS message", async () => {
    const pki = makePki();
    const server = await tlsServer(pki.namedServer.cert, pki.namedServer.key);
    const ca = join(dir, "ca.pem");
    writeFileSync(ca, pki.ca.cert);
    try {
      const r = await runCli(["run", "--target", server.url, "--timeout", "2000"], {
        NOMAD_TOKEN: TOKEN,
        NOMAD_CACERT: ca,
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(
        /^nomad-conformance: TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed: .*(IP: 127\.0\.0\.1 is not in the cert's list|ERR_TLS_CERT_ALTNAME_INVALID)/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await server.drained(2_000)).toBe(true);
    } finally {
      await server.close();
    }
  }, 60_000);
});
