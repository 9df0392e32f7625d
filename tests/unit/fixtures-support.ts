/** Helpers for the fixture-agent unit tests: one msw server per file, a fresh world per test. */
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  createHandlers,
  createWorld,
  DEFAULT_BASE_URL,
  type World,
  type WorldOptions,
} from "../../src/fixtures/index.ts";

export const MGMT = "00000000-0000-4000-8000-00000000beef";

/** Fast timings so stream tests finish quickly. */
export const FAST: WorldOptions = { heartbeatMs: 40, batchMs: 0, pprofSecondMs: 1 };

export interface Agent {
  world: World;
  /** fetch a path on the fixture agent, with an optional token. */
  call(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  /** The response status and text. */
  text(path: string, init?: RequestInit & { token?: string }): Promise<[number, string]>;
  /** Status, text and headers. */
  full(path: string, init?: RequestInit & { token?: string }): Promise<[number, string, Headers]>;
}

/** Register an msw server for the file; `agent()` swaps in a fresh world. */
export function fixtureAgent(): (opts?: WorldOptions) => Agent {
  const server = setupServer();
  const open: AbortController[] = [];
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    for (const c of open.splice(0)) c.abort();
  });
  afterAll(() => server.close());
  return (opts = {}) => {
    const world = createWorld({ ...FAST, ...opts });
    server.resetHandlers(...createHandlers(world));
    const call = (path: string, init: RequestInit & { token?: string } = {}) => {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== undefined) headers.set("X-Nomad-Token", token);
      const ac = new AbortController();
      open.push(ac);
      return fetch(`${DEFAULT_BASE_URL}${path}`, { ...rest, headers, signal: rest.signal ?? ac.signal });
    };
    return {
      world,
      call,
      async text(path, init) {
        const r = await call(path, init);
        return [r.status, await r.text()];
      },
      async full(path, init) {
        const r = await call(path, init);
        return [r.status, await r.text(), r.headers];
      },
    };
  };
}

const dec = new TextDecoder();

/** Read chunks from a body until `done(text)` holds or the time runs out; then abort. */
export async function readUntil(
  res: Response,
  done: (text: string) => boolean,
  ac?: AbortController,
  timeoutMs = 3000,
): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!done(text) && Date.now() < deadline) {
    const next = await Promise.race([
      reader.read(),
      new Promise<{ done: true; value: undefined }>((r) =>
        setTimeout(() => r({ done: true, value: undefined }), deadline - Date.now()),
      ),
    ]);
    if (next.done) break;
    text += dec.decode(next.value, { stream: true });
  }
  ac?.abort();
  reader.cancel().catch(() => {});
  return text;
}

/** Split concatenated JSON frames (`{…}{}{…}`) into objects. */
export function splitFrames(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  let depth = 0;
  let start = 0;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === "\\") i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

/** Create a policy and a client token holding it (world must have ACLs on and MGMT bootstrapped). */
export async function tokenWith(a: Agent, name: string, rules: string): Promise<string> {
  const p = await a.call(`/v1/acl/policy/${name}`, {
    method: "PUT",
    token: MGMT,
    body: JSON.stringify({ Name: name, Rules: rules }),
  });
  if (p.status !== 200) throw new Error(`policy ${name}: ${p.status} ${await p.text()}`);
  const t = await a.call("/v1/acl/token", {
    method: "POST",
    token: MGMT,
    body: JSON.stringify({ Name: name, Type: "client", Policies: [name] }),
  });
  if (t.status !== 200) throw new Error(`token ${name}: ${t.status} ${await t.text()}`);
  return ((await t.json()) as { SecretID: string }).SecretID;
}
