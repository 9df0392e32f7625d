/**
 * Secrets (issue 6): the CLI runs with a recognisable management token against an agent that
 * fails checks and echoes tokens back in its answers (an error text quoting the token, a refusal
 * naming the minted test token). Neither the token nor any SecretID the suite minted may appear in
 * any byte of stdout, stderr or the report files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterAll, expect, it } from "vitest";
import { DEFAULT_BASE_URL } from "../../src/fixtures/index.ts";
import { cliEnv, startCli, startSafetyTarget } from "./safety-support.ts";

const TOKEN = "5afe7e57-0000-4bad-8c0d-5ec12e7c0de5";
const dir = mkdtempSync(join(tmpdir(), "nc-safety-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sent = (request: Request) => request.headers.get("x-nomad-token") ?? "";

it("no token or minted SecretID in any byte the CLI writes, failures and excerpts included", {
  timeout: 58_000,
}, async () => {
  const t = await startSafetyTarget({
    token: TOKEN,
    // A token with exactly node:read is refused on /v1/agent/members: the acl-capability check fails.
    mutant: "members-refuse-node-read",
    extra: (world) => [
      http.get(`${DEFAULT_BASE_URL}/v1/agent/health`, ({ request }) =>
        HttpResponse.text(`token ${sent(request)} is not welcome`, { status: 500 }),
      ),
      http.get(`${DEFAULT_BASE_URL}/v1/client/stats`, ({ request }) => {
        const secret = sent(request);
        if (secret === TOKEN || secret === "") return undefined;
        const known = world.acl.tokens.has(secret) ? "test token" : "unknown token";
        return HttpResponse.text(`Permission denied: ${known} ${secret}`, { status: 403 });
      }),
    ],
  });
  try {
    const out = join(dir, "out");
    const run = await startCli(
      ["run", "--target", t.proxy.url, "--out", out, "--allow-writes", "--filter", "spec/"],
      cliEnv(t),
    ).done;
    expect(run.code, run.stdout.toString()).toBe(1);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    const failed = results.behaviours
      .filter((b: { status: string }) => b.status === "fail")
      .map((b: { id: string }) => b.id);
    expect(failed).toEqual(
      expect.arrayContaining([
        "spec/agent-health/shape",
        "spec/agent-members/acl-capability",
        "spec/client-stats/acl-refusal",
      ]),
    );
    // The suite minted test tokens (and the agent echoed them back); all must be known here.
    const secrets = [...t.minted];
    expect(secrets.length).toBeGreaterThan(3);
    expect(secrets).toContain(TOKEN);
    const written: [string, Buffer][] = [
      ["stdout", run.stdout],
      ["stderr", run.stderr],
      ...readdirSync(out).map((f) => [f, readFileSync(join(out, f))] as [string, Buffer]),
    ];
    expect(written.map(([name]) => name).sort()).toEqual([
      "drift.json",
      "junit.xml",
      "report.html",
      "results.json",
      "stderr",
      "stdout",
      "summary.md",
    ]);
    const found = written.flatMap(([name, bytes]) =>
      secrets.flatMap((s) =>
        [s, s.toUpperCase(), Buffer.from(s).toString("base64")]
          .filter((v) => bytes.includes(v))
          .map((v) => `${name}: ${v}`),
      ),
    );
    expect(found).toEqual([]);
    // The echoes did reach the reports, redacted.
    expect(readFileSync(join(out, "report.html"), "utf8")).toMatch(
      /token &lt;redacted&gt; is not welcome|token <redacted> is not welcome/,
    );
  } finally {
    await t.close();
  }
});
