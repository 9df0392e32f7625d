/** `nomad-conformance serve` as a child process: answers like an agent, honours --acl, stops on SIGTERM. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/nomad-conformance.js", import.meta.url));
const TOKEN = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b";

function start(args: string[]): {
  child: ChildProcess;
  url: Promise<string>;
  output: () => string;
  exit: Promise<number | null>;
} {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^NOMAD_/.test(k)));
  const child = spawn(process.execPath, [BIN, "serve", ...args], {
    env: clean,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in: ${text}`)), 8000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stderr?.on("data", onData);
    child.stdout?.on("data", onData);
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, url, output: () => text, exit };
}

describe.concurrent("serve (child process)", () => {
  it("serves the fixture agent and stops on SIGTERM with exit 0", async () => {
    const s = start(["--port", "0"]);
    try {
      const res = await fetch(`${await s.url}/v1/agent/self`);
      expect(res.status).toBe(200);
      expect(
        ((await res.json()) as { config: { Version: { Version: string } } }).config.Version.Version,
      ).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      s.child.kill("SIGTERM");
    }
    expect(await s.exit).toBe(0);
  });

  it("enforces ACLs with the given token and never prints it", async () => {
    const s = start(["--port", "0", "--acl", "--token", TOKEN]);
    try {
      const url = await s.url;
      expect((await fetch(`${url}/v1/agent/self`)).status).toBe(403);
      expect((await fetch(`${url}/v1/agent/self`, { headers: { "X-Nomad-Token": TOKEN } })).status).toBe(200);
    } finally {
      s.child.kill("SIGTERM");
    }
    expect(await s.exit).toBe(0);
    expect(s.output()).not.toContain(TOKEN);
  });

  it("refuses a port in use and a non-UUID token with exit 2", async () => {
    const first = start(["--port", "0"]);
    const port = new URL(await first.url).port;
    const second = start(["--port", port]);
    expect(await second.exit).toBe(2);
    expect(second.output()).toMatch(/^nomad-conformance: port \d+ on 127\.0\.0\.1 is already in use\n$/);
    first.child.kill("SIGTERM");
    expect(await first.exit).toBe(0);
    const bad = start(["--port", "0", "--acl", "--token", "not-a-uuid-secret"]);
    expect(await bad.exit).toBe(2);
    expect(bad.output()).toMatch(/--token value is not a UUID/);
    expect(bad.output()).not.toContain("not-a-uuid-secret");
  });
});
