/**
 * The CLI as a child process against targets that cannot be tested: closed port, a server that
 * never answers, a refused token, a non-Nomad answer, a malformed address, bad flags. Each ends
 * quickly with exit 2, one `nomad-conformance:` line, no stack trace and never the token.
 */
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/nomad-conformance.js", import.meta.url));
const TOKEN = "nc-preflight-SECRET-0f1e2d3c4b5a6978";

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const started = Date.now();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^NOMAD_/.test(k)));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...clean, NOMAD_TOKEN: TOKEN, ...env }, timeout: 15_000 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === "number" ? error.code : error ? null : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

function expectUsageExit(r: Ran, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
}

describe.concurrent("run preflight (child process)", () => {
  const servers: Server[] = [];
  let silent: Server;
  let refusing: Server;
  let notNomad: Server;
  let closedPort: string;

  beforeAll(async () => {
    silent = await listen(() => {}); // accepts, never answers
    refusing = await listen((_req, res) => {
      res.writeHead(403, { "content-type": "text/plain" }).end(`Permission denied for ${TOKEN}`);
    });
    notNomad = await listen((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" }).end("<html>hello</html>");
    });
    servers.push(silent, refusing, notNomad);
    const probe = await listen(() => {});
    closedPort = urlOf(probe);
    await new Promise((r) => probe.close(r));
  });

  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it("a closed port → exit 2 quickly", async () => {
    const r = await cli(["run", "--target", closedPort, "--timeout", "2000"]);
    expectUsageExit(r, /^nomad-conformance: cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/);
    expect(r.ms).toBeLessThan(8000);
  });

  it("a server that never answers → exit 2 within the timeout", async () => {
    const r = await cli(["run", "--timeout", "600"], { NOMAD_ADDR: urlOf(silent) });
    expectUsageExit(
      r,
      /cannot reach http:\/\/127\.0\.0\.1:\d+: no answer to GET \/v1\/agent\/self within 600 ms/,
    );
    expect(r.ms).toBeLessThan(8000);
  });

  it("403 → exit 2 naming the capability, never the token", async () => {
    const r = await cli(["run"], { NOMAD_ADDR: urlOf(refusing) });
    expectUsageExit(
      r,
      /the token was refused by http:\/\/127\.0\.0\.1:\d+ \(403 Permission denied\): NOMAD_TOKEN must be a management token or hold agent:read/,
    );
  });

  it("a non-JSON answer → exit 2, not a Nomad agent", async () => {
    const r = await cli(["run", "--target", urlOf(notNomad)]);
    expectUsageExit(
      r,
      /does not look like a Nomad agent: GET \/v1\/agent\/self answered text\/html, not JSON/,
    );
  });

  it.each<{ env: Record<string, string>; args: string[]; want: RegExp }>([
    { env: { NOMAD_ADDR: "not a url" }, args: [], want: /invalid NOMAD_ADDR: not a URL/ },
    { env: { NOMAD_ADDR: "ftp://host:21" }, args: [], want: /invalid NOMAD_ADDR: unsupported scheme/ },
    { env: {}, args: ["--target", "nonsense"], want: /invalid --target: not a URL/ },
    {
      env: { NOMAD_ADDR: "https://127.0.0.1:1", NOMAD_CACERT: "/nonexistent/ca.pem" },
      args: [],
      want: /invalid NOMAD_CACERT: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/,
    },
  ])("bad settings $want → exit 2", async ({ env, args, want }) => {
    expectUsageExit(await cli(["run", ...args], env), want);
  });

  it("an unknown flag → exit 2 with one message", async () => {
    expectUsageExit(
      await cli(["run", "--frobnicate"]),
      /^nomad-conformance: unknown option --frobnicate for "run"/,
    );
  });
});
