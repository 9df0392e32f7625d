/** Status ladder, results building, drift and the report writers on synthetic results. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { finalLine, renderConsoleSummary } from "../../src/cli/report/console.ts";
import { computeDrift, declaredProperties, normalisePath } from "../../src/cli/report/drift.ts";
import { esc, renderHtml } from "../../src/cli/report/html.ts";
import { mdText } from "../../src/cli/report/markdown.ts";
import type { CaseOutcome } from "../../src/cli/report/model.ts";
import { buildResults, classifyError } from "../../src/cli/report/results.ts";
import { countStatuses, higher, isConformant, rollUp } from "../../src/cli/report/status.ts";
import { writeReports } from "../../src/cli/report/write.ts";
import { reportConfig } from "../../src/cli/run.ts";
import { addSecret } from "../../src/conformance/redact.ts";
import type { Behaviour } from "../../src/conformance/types.ts";

const TOKEN = "nc-unit-SECRET-7f3a1c2e-4b5d-4e6f";

const b = (id: string, operation: string, check: string, file = "01-a.test.ts"): Behaviour => ({
  id,
  testname: `${id} <b>works</b>`,
  description: `${id} MUST work`,
  operation,
  check,
  since: "1.0.0",
  requires: [],
  source: "agent",
  file,
});

const catalogue = [
  b("a/self/pass", "agentSelf", "shape"),
  b("a/self/fail", "agentSelf", "semantics"),
  b("a/self/skip", "agentSelf", "acl"),
  b("a/members/error", "agentMembers", "shape"),
  b("a/members/missing", "agentMembers", "stream"),
  b("c/stats/off", "clientStats", "shape", "02-c.test.ts"),
  b("c/stats/broken-file", "clientStats", "errors", "03-broken.test.ts"),
];

const spec = {
  components: {
    schemas: {
      Self: {
        type: "object",
        properties: {
          Name: { type: "string" },
          Config: { $ref: "#/components/schemas/Config" },
          Tags: { type: "object", additionalProperties: { type: "string" } },
        },
      },
      Config: {
        type: "object",
        properties: {
          Region: {},
          Ports: { type: "array", items: { type: "object", properties: { Http: {} } } },
        },
      },
      Loop: { type: "object", properties: { Next: { $ref: "#/components/schemas/Loop" } } },
    },
  },
};

const outcomes: CaseOutcome[] = [
  {
    id: "a/self/pass",
    state: "passed",
    errors: [],
    seen: { "#/components/schemas/Self": ["Name", "Tags.x"] },
    drift: [
      {
        operation: "agentSelf",
        schema: "#/components/schemas/Self",
        property: "Extra[0].Field",
        kind: "unknown-property",
      },
    ],
  },
  {
    id: "a/self/fail",
    state: "failed",
    errors: [
      {
        name: "AssertionError",
        message: `expected <script>alert(1)</script> with ${TOKEN}`,
        diff: "- a\n+ b",
      },
    ],
    exchanges: [
      {
        request: {
          method: "GET",
          url: `http://h/v1/agent/self?token=${TOKEN}`,
          headers: { "x-nomad-token": "<redacted>" },
        },
        response: {
          status: 200,
          headers: { "content-type": "text/html" },
          body: `<img src=x onerror=alert(1)> ${TOKEN}`,
          truncated: false,
        },
      },
    ],
  },
  { id: "a/self/skip", state: "skipped", note: "ACLs are disabled on the target", errors: [] },
  {
    id: "a/members/error",
    state: "failed",
    errors: [{ name: "TypeError", message: "cannot read x of undefined" }],
  },
];

const build = (filter?: string, extra: Partial<Parameters<typeof buildResults>[0]> = {}) =>
  buildResults({
    catalogue,
    outcomes,
    moduleErrors: { "03-broken.test.ts": "SyntaxError: unexpected token" },
    runErrors: [],
    filter,
    interrupted: false,
    families: { agentSelf: "Agent", agentMembers: "Agent", clientStats: "Client" },
    drift: computeDrift(outcomes, (id) => catalogue.find((x) => x.id === id)?.operation ?? "unknown", spec),
    config: reportConfig({
      target: "fixtures",
      live: false,
      token: TOKEN,
      allowWrites: true,
      timeoutMs: 1000,
      filter,
      outDir: "/tmp/out",
      allocId: undefined,
      task: undefined,
      configFile: undefined,
      runId: "nc-test",
      sources: {
        target: "default",
        token: "env",
        allowWrites: "default",
        timeout: "default",
        filter: "flag",
        out: "default",
      },
      env: {},
    }),
    target: { kind: "fixtures", address: "http://nomad.fixture.invalid:4646" },
    runId: "nc-test",
    version: "0.0.0",
    startedAt: new Date(0),
    finishedAt: new Date(1500),
    ...extra,
  });

describe("status ladder", () => {
  it("orders disabled < skip < pass < fail < error", () => {
    expect(higher("skip", "pass")).toBe("pass");
    expect(higher("error", "fail")).toBe("error");
    expect(rollUp([])).toBe("disabled");
    expect(rollUp(["disabled", "skip"])).toBe("skip");
    expect(rollUp(["pass", "skip", "fail", "pass"])).toBe("fail");
    expect(rollUp(["pass", "error", "fail"])).toBe("error");
    expect(isConformant(countStatuses(["pass", "skip", "disabled"]))).toBe(true);
    expect(isConformant(countStatuses(["pass", "error"]))).toBe(false);
  });

  it.each([
    { error: { name: "AssertionError", message: "x" }, want: "fail" },
    { error: { name: "NomadTimeoutError", message: "x" }, want: "fail" },
    { error: { name: "Error", message: "Test timed out in 60000ms." }, want: "fail" },
    { error: { name: "TypeError", message: "x" }, want: "error" },
    { error: { name: "Error", message: "boom" }, want: "error" },
    { error: undefined, want: "error" },
  ])("classifies $error.name as $want", ({ error, want }) => {
    expect(classifyError(error)).toBe(want);
  });
});

describe("buildResults", () => {
  it("gives each behaviour a status and rolls up per operation", () => {
    const r = build();
    const status = Object.fromEntries(r.behaviours.map((x) => [x.id, x.status]));
    expect(status).toEqual({
      "a/members/error": "error",
      "a/members/missing": "error",
      "a/self/fail": "fail",
      "a/self/pass": "pass",
      "a/self/skip": "skip",
      "c/stats/broken-file": "error",
      "c/stats/off": "error",
    });
    expect(r.behaviours.find((x) => x.id === "a/self/skip")?.note).toBe("ACLs are disabled on the target");
    expect(r.behaviours.find((x) => x.id === "c/stats/broken-file")?.message).toContain("SyntaxError");
    const ops = Object.fromEntries(r.operations.map((o) => [o.operation, o]));
    expect(ops.agentSelf?.status).toBe("fail");
    expect(ops.agentSelf?.checks).toEqual({ shape: "pass", semantics: "fail", acl: "skip" });
    expect(ops.agentMembers?.status).toBe("error");
    expect(r.verdict).toBe("not conformant");
    expect(r.config.token).toBe("<redacted>");
  });

  it("marks behaviours outside --filter as disabled", () => {
    const r = build("a/self");
    expect(r.counts).toEqual({ disabled: 4, skip: 1, pass: 1, fail: 1, error: 0 });
    expect(r.operations.find((o) => o.operation === "clientStats")?.status).toBe("disabled");
    expect(finalLine(r.counts)).toBe("conformance: 1 passed, 1 failed, 1 skipped");
  });

  it("is conformant only without fail, error, run errors or cancellation", () => {
    expect(build("a/self/pass").verdict).toBe("conformant");
    expect(build("a/self/pass", { runErrors: ["unhandled error: x"] }).verdict).toBe("not conformant");
    expect(build("a/self/pass", { interrupted: true }).verdict).toBe("not conformant");
  });
});

describe("drift", () => {
  it("lists declared properties through refs, arrays and loops, not into maps", () => {
    const props = declaredProperties(spec, { $ref: "#/components/schemas/Self" });
    expect(props).toEqual(["Name", "Config", "Config.Region", "Config.Ports", "Config.Ports.Http", "Tags"]);
    expect(declaredProperties(spec, { $ref: "#/components/schemas/Loop" })).toEqual(["Next"]);
    expect(normalisePath("Members[3].Tags.0.Name")).toBe("Members.Tags.Name");
  });

  it("reports unknown and never-seen properties (topmost only)", () => {
    const d = build().drift;
    expect(d.unknownProperties).toEqual([
      {
        schema: "#/components/schemas/Self",
        property: "Extra.Field",
        operations: ["agentSelf"],
        behaviours: ["a/self/pass"],
      },
    ]);
    expect(d.neverSeen.map((f) => f.property)).toEqual(["Config"]);
  });
});

describe("report writers", () => {
  const dir = mkdtempSync(join(tmpdir(), "nc-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("escape HTML and Markdown", () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(mdText("a | <b> `x` *y*")).toBe("a \\| &lt;b&gt; \\`x\\` \\*y\\*");
    const html = renderHtml(build());
    expect(html).not.toMatch(/<script>|<img src=x|<b>works/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toMatch(/href="#b-a_self_fail"/);
  });

  it("never write a registered token, wherever it was", () => {
    addSecret(TOKEN);
    const results = build();
    writeReports(dir, results);
    const files = readdirSync(dir);
    expect(files.sort()).toEqual(["drift.json", "report.html", "results.json", "summary.md"]);
    for (const f of files) {
      const text = readFileSync(join(dir, f), "utf8");
      expect(text, f).not.toContain(TOKEN);
    }
    expect(readFileSync(join(dir, "results.json"), "utf8")).toContain("<redacted>");
    expect(JSON.parse(readFileSync(join(dir, "results.json"), "utf8")).counts.fail).toBe(1);
    const md = readFileSync(join(dir, "summary.md"), "utf8");
    expect(md).toMatch(/^## ❌ Nomad conformance: not conformant/);
    expect(md).toContain("**fail** `a/self/fail`");
    expect(md.split("\n").length).toBeLessThan(60);
  });

  it("print a console summary by family and check, ending with the counts line", () => {
    const text = renderConsoleSummary(build());
    expect(text).toMatch(/^family\s+pass\s+fail\s+error\s+skip\s+disabled$/m);
    expect(text).toMatch(/^Agent\s+1\s+1\s+2\s+1\s+0$/m);
    expect(text).toMatch(/^semantics\s+0\s+1\s+0\s+0\s+0$/m);
    expect(text.trimEnd().split("\n").at(-1)).toBe("conformance: 1 passed, 5 failed, 1 skipped");
  });
});
