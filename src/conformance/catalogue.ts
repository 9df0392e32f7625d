/**
 * The behaviour catalogue: hand-written entries from conformance/behaviours.yaml plus the checks
 * derived from the spec for every operation (shape, wrong method, ACL matrix).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { listOperations, loadBundledSpec, type SpecOperation } from "../spec/load.ts";
import type { Behaviour, Requirement } from "./types.ts";

/** Location of the hand-written catalogue. */
export const cataloguePath = fileURLToPath(new URL("../../conformance/behaviours.yaml", import.meta.url));

/** `agentSetServers` → `agent-set-servers`. */
export const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/** The requirements an operation implies on its own (role, writes, debug). */
export function operationRequirements(op: SpecOperation): Requirement[] {
  const req: Requirement[] = [];
  if (op["x-nomad-agent"] !== "any") req.push(op["x-nomad-agent"]);
  if (op["x-nomad-mutates"]) req.push("writes");
  // Client GC destroys every terminal allocation of the node: nothing can restore it.
  if (op["x-nomad-operation"] === "clientGC") req.push("gc");
  if (op["x-nomad-acl"].debugWhenAclDisabled) req.push("debug");
  if (op["x-nomad-acl"].anyOf.includes("management")) req.push("management");
  if (op.path.includes("{alloc_id}")) req.push("alloc");
  return req;
}

/** Behaviours derived from the spec: shape, wrong method, ACL refusal and ACL capability per logical operation. */
export function deriveBehaviours(ops: SpecOperation[]): Behaviour[] {
  const seen = new Set<string>();
  const out: Behaviour[] = [];
  for (const op of ops) {
    const name = op["x-nomad-operation"];
    if (seen.has(name)) continue;
    seen.add(name);
    const twins = ops.filter((o) => o["x-nomad-operation"] === name);
    const label = `${twins.map((t) => t.method.toUpperCase()).join("|")} ${op.path}`;
    const base = {
      operation: name,
      since: op["x-nomad-since"],
      source: "agent" as const,
      file: "00-spec.test.ts",
      derived: true,
    };
    const req = operationRequirements(op);
    out.push({
      ...base,
      id: `spec/${kebab(name)}/shape`,
      check: "shape",
      testname: `${label} with valid input answers a declared status, content type and schema-valid body`,
      description: `A valid ${label} request MUST be answered with a status the spec declares for ${name}, a declared content type, and (for JSON) a body that validates against the declared schema.`,
      requires: req,
    });
    const methods = op["x-nomad-methods"];
    if (methods.otherwise) {
      out.push({
        ...base,
        id: `spec/${kebab(name)}/wrong-method`,
        check: "method",
        testname: `${op.path} with a method other than ${methods.accepts.join("/")} answers ${methods.otherwise.status}`,
        description: `A request to ${op.path} with a method the agent does not serve MUST be answered ${methods.otherwise.status} with the body ${JSON.stringify(methods.otherwise.body)} and MUST NOT change state.`,
        requires: req.filter((r) => r !== "writes"),
      });
    }
    const acl = op["x-nomad-acl"];
    const caps = acl.anyOf.join(" or ");
    out.push({
      ...base,
      id: `spec/${kebab(name)}/acl-refusal`,
      check: "acl",
      testname:
        acl.anyOf.length === 0
          ? `${label} serves every token, even none`
          : `${label} refuses no token and an unknown token, and serves a management token`,
      description:
        acl.anyOf.length === 0
          ? `${label} MUST NOT enforce an ACL: anonymous and unknown tokens MUST be served like a management token.`
          : `${label} MUST refuse an anonymous request and an unknown token the way the agent refuses (403 Permission denied unless x-nomad-acl records otherwise), and MUST serve a management token.`,
      requires: [...new Set<Requirement>([...req, "acl"])],
    });
    if (acl.anyOf.length > 0 && !acl.anyOf.includes("management")) {
      out.push({
        ...base,
        id: `spec/${kebab(name)}/acl-capability`,
        check: "acl",
        testname: `${label} refuses a near-miss token and serves a token holding exactly ${caps}`,
        description: `${label} MUST refuse a token whose policy grants only a near miss of ${caps}, and MUST serve a token holding exactly ${caps} like a management token. The suite creates those policies and tokens (so it needs --allow-writes) and deletes them afterwards.`,
        requires: [...new Set<Requirement>([...req, "acl", "writes"])],
      });
    }
  }
  return out;
}

/** Reads the hand-written entries. */
export function loadHandWritten(path = cataloguePath): Behaviour[] {
  const doc = parse(readFileSync(path, "utf8")) as { behaviours: Behaviour[] };
  return doc.behaviours.map((b) => ({ ...b, requires: b.requires ?? [] }));
}

let cached: Behaviour[] | undefined;

/** The whole catalogue (hand-written + derived), sorted by id. */
export function loadCatalogue(): Behaviour[] {
  cached ??= [...loadHandWritten(), ...deriveBehaviours(listOperations(loadBundledSpec()))].sort((a, b) =>
    a.id.localeCompare(b.id),
  );
  return cached;
}

/** One behaviour by id; throws for an unknown id (a test must never invent one). */
export function behaviourById(id: string): Behaviour {
  const b = loadCatalogue().find((x) => x.id === id);
  if (!b) throw new Error(`Behaviour ${id} is not in conformance/behaviours.yaml nor derived from the spec`);
  return b;
}
