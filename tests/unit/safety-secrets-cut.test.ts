/**
 * Secrets cut in half (issue 6): an agent that echoes the token at the point where the suite cuts
 * bodies for messages (200 chars) and excerpts (2 KiB). No 8-char or longer prefix of the token may
 * survive: messages and excerpts are redacted before they are cut.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterAll, expect, it } from "vitest";
import { DEFAULT_BASE_URL } from "../../src/fixtures/index.ts";
import { cliEnv, startCli, startSafetyTarget } from "./safety-support.ts";

const TOKEN = "c0ffee00-5afe-4c0d-8a11-5ec12e7c0de5";
const dir = mkdtempSync(join(tmpdir(), "nc-safety-cut-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a token straddling a cut leaves no fragment", { timeout: 58_000 }, async () => {
  const echo =
    (pad: number) =>
    ({ request }: { request: Request }) =>
      HttpResponse.text(`${"x".repeat(pad)}${request.headers.get("x-nomad-token") ?? ""}`, { status: 418 });
  const t = await startSafetyTarget({
    token: TOKEN,
    extra: () => [
      http.get(`${DEFAULT_BASE_URL}/v1/client/stats`, echo(190)),
      http.get(`${DEFAULT_BASE_URL}/v1/agent/host`, echo(2040)),
    ],
  });
  try {
    const out = join(dir, "out");
    const run = await startCli(["run", "--target", t.proxy.url, "--out", out, "--filter", "spec/"], cliEnv(t))
      .done;
    expect(run.code).toBe(1);
    const written = [run.stdout, run.stderr, ...readdirSync(out).map((f) => readFileSync(join(out, f)))];
    for (let n = TOKEN.length; n >= 8; n--)
      for (const bytes of written) expect(bytes.includes(TOKEN.slice(0, n)), TOKEN.slice(0, n)).toBe(false);
  } finally {
    await t.close();
  }
});
