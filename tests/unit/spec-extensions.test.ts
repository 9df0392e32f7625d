import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { operationExtensionsSchema } from "../../src/spec/extensions.ts";
import { deref, extensionsOf, listOperations, loadBundledSpec, type SpecNode } from "../../src/spec/load.ts";

const doc = loadBundledSpec();
const ops = listOperations(doc);
const validate = new Ajv2020({ strict: true, strictRequired: false, allErrors: true }).compile(
  operationExtensionsSchema,
);
const table = ops.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const);

/** Compares two x.y.z versions. */
const semver = (v: string) => v.split(".").map(Number) as [number, number, number];
const atLeast = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) > (y[i] ?? 0);
  return true;
};

describe("x-nomad-* extensions", () => {
  it.each(table)("%s carries a complete, well-formed set", (_name, op) => {
    validate(extensionsOf(op.raw));
    expect(validate.errors ?? []).toEqual([]);
  });

  it.each(table)("%s declares the responses its extensions imply", (_name, op) => {
    const responses = op.raw.responses as Record<string, SpecNode>;
    const methods = op["x-nomad-methods"];
    if (!methods.accepts.includes("any")) {
      expect(methods.accepts).toContain(op.method.toUpperCase());
      expect(Object.keys(responses)).toContain(String(methods.otherwise?.status));
    }
    if (op["x-nomad-acl"].anyOf.length > 0) expect(Object.keys(responses)).toContain("403");
    const stream = op["x-nomad-stream"];
    const ok = deref<SpecNode>(doc, responses["200"]);
    const content = (ok?.content ?? {}) as Record<string, SpecNode>;
    if (stream?.framing === "concatenated-json") {
      // Frames are declared under the content type the agent sends (application/json, or sniffed text/plain).
      const frameTypes = Object.entries(content).filter(
        ([, m]) => (m.schema as SpecNode | undefined)?.$ref === "#/components/schemas/StreamFrame",
      );
      expect(frameTypes.length).toBe(1);
    }
    if (stream?.plain) expect(Object.keys(content)).toContain(stream.plain.contentType);
  });

  it.each(table)("%s dates its parameters no earlier than the route", (_name, op) => {
    for (const p of (op.raw.parameters ?? []) as SpecNode[]) {
      const param = deref<SpecNode>(doc, p);
      const since = param["x-nomad-since"];
      if (typeof since === "string")
        expect(atLeast(since, op["x-nomad-since"]), String(param.name)).toBe(true);
    }
  });

  it("agree between PUT/POST twins", () => {
    const byName = new Map<string, typeof ops>();
    for (const op of ops)
      byName.set(op["x-nomad-operation"], [...(byName.get(op["x-nomad-operation"]) ?? []), op]);
    const twins = [...byName.values()].filter((g) => g.length > 1);
    expect(twins.length).toBeGreaterThanOrEqual(4);
    for (const [a, ...rest] of twins) {
      for (const b of rest) {
        const strip = (o: SpecNode) => {
          const { "x-nomad-go-client": _g, ...e } = extensionsOf(o);
          return e;
        };
        expect(strip(b.raw), `${b.operationId} vs ${a?.operationId}`).toEqual(strip(a?.raw ?? {}));
      }
    }
  });

  it("mark every state-changing operation as mutating and nothing else", () => {
    const mutating = ops.filter((o) => o["x-nomad-mutates"]).map((o) => o["x-nomad-operation"]);
    expect([...new Set(mutating)].sort()).toEqual(
      [
        "agentSetServers",
        "agentJoin",
        "agentForceLeave",
        "agentSetSchedulerWorkerConfig",
        "nodeMetaApply",
        "allocGC",
        "clientGC",
        "operatorRaftRemovePeerByID",
      ].sort(),
    );
  });
});
