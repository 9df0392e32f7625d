/**
 * Test tokens for the ACL matrix, created through /v1/acl/* with the suite's management token:
 * one policy + one client token per capability set, named with the run prefix, deleted afterwards.
 */
import { randomUUID } from "node:crypto";
import { call, printable } from "./exchange.ts";
import { addSecret, redact } from "./redact.ts";
import { getTarget } from "./target.ts";

/** ACL policy rules (HCL) granting exactly the given capabilities. */
export function policyRules(capabilities: string[]): string {
  const blocks: string[] = [];
  const ns: string[] = [];
  for (const cap of capabilities) {
    const [scope, what] = cap.split(":") as [string, string];
    if (scope === "namespace") ns.push(what);
    else blocks.push(`${scope} { policy = "${what}" }`);
  }
  if (ns.length) blocks.push(`namespace "*" { capabilities = [${ns.map((c) => `"${c}"`).join(", ")}] }`);
  return blocks.join("\n");
}

/**
 * A near miss for a required capability: the closest grant that must NOT be enough (read for
 * write, another family for read, other namespace capabilities for a namespace one).
 */
export function nearMiss(anyOf: string[]): string[] {
  if (anyOf.includes("management")) return ["agent:write", "node:write", "operator:write"];
  const miss = new Set<string>();
  for (const cap of anyOf) {
    if (cap === "agent:write") miss.add("agent:read");
    else if (cap === "node:write") miss.add("node:read");
    else if (cap === "agent:read") miss.add("node:write");
    else if (cap === "node:read") miss.add("agent:write");
    else if (cap.startsWith("namespace:"))
      miss.add(cap === "namespace:read-job" ? "namespace:list-jobs" : "namespace:read-job");
  }
  // A near miss for one alternative may grant another (read-fs vs read-logs): drop those.
  return [...miss].filter((m) => !anyOf.includes(m));
}

const created: { policies: string[]; tokens: string[] } = { policies: [], tokens: [] };
const cache = new Map<string, string>();

/** The SecretID of a client token holding exactly `capabilities` (created once per file). */
export async function tokenWith(capabilities: string[]): Promise<string> {
  const key = [...capabilities].sort().join(",");
  const hit = cache.get(key);
  if (hit) return hit;
  await sweepLeftovers();
  const t = getTarget();
  const name = `${t.runId}-${created.policies.length}`;
  const put = await call("PUT", "/v1/acl/policy/{name}", {
    path: { name },
    body: { Name: name, Description: `nomad-conformance ${key}`, Rules: policyRules(capabilities) },
  });
  if (put.status !== 200) throw new Error(`creating ACL policy ${name} failed: ${put.status} ${put.text}`);
  created.policies.push(name);
  const tok = await call("POST", "/v1/acl/token", {
    body: { Name: name, Type: "client", Policies: [name], Global: false },
  });
  const token = tok.json as { SecretID?: string; AccessorID?: string } | undefined;
  if (tok.status !== 200 || !token?.SecretID || !token.AccessorID)
    throw new Error(
      `creating ACL token ${name} failed: ${tok.status} ${printable(redact(tok.text).slice(0, 200))}`,
    );
  addSecret(token.SecretID);
  created.tokens.push(token.AccessorID);
  cache.set(key, token.SecretID);
  return token.SecretID;
}

/** A well-formed token that exists nowhere. */
export const unknownToken = () => randomUUID();

/** Leftovers of earlier runs older than this are swept before a run creates anything. */
const LEFTOVER_AGE_MS = 60 * 60 * 1000;
let swept = false;

/**
 * Deletes ACL tokens and policies that earlier, interrupted runs of the suite left behind: tokens
 * named `nc-…` whose policies are all `nc-…` policies described "nomad-conformance …", created more
 * than an hour ago (so a concurrent run is never disturbed), and those policies.
 */
export async function sweepLeftovers(): Promise<void> {
  if (swept) return;
  swept = true;
  const now = Date.now();
  const policies = (await call("GET", "/v1/acl/policies", { query: { prefix: "nc-" } })).json;
  const ours = new Set(
    (Array.isArray(policies) ? (policies as { Name: string; Description?: string }[]) : [])
      .filter((p) => p.Name.startsWith("nc-") && (p.Description ?? "").startsWith("nomad-conformance "))
      .map((p) => p.Name),
  );
  const tokens = (await call("GET", "/v1/acl/tokens")).json;
  const stale = (
    Array.isArray(tokens)
      ? (tokens as { AccessorID: string; Name: string; Policies: string[] | null; CreateTime: string }[])
      : []
  )
    .filter(
      (t) =>
        t.Name.startsWith("nc-") &&
        (t.Policies ?? []).length > 0 &&
        (t.Policies ?? []).every((p) => ours.has(p)),
    )
    .filter((t) => now - Date.parse(t.CreateTime) > LEFTOVER_AGE_MS);
  const stalePolicies = new Set(stale.flatMap((t) => t.Policies ?? []));
  for (const t of stale)
    await call("DELETE", "/v1/acl/token/{accessor}", { path: { accessor: t.AccessorID } });
  for (const name of stalePolicies) await call("DELETE", "/v1/acl/policy/{name}", { path: { name } });
}

/** Deletes every token and policy this file created (best effort; reports what it could not). */
export async function sweepAclObjects(): Promise<string[]> {
  const failures: string[] = [];
  for (const accessor of created.tokens.splice(0)) {
    const r = await call("DELETE", "/v1/acl/token/{accessor}", { path: { accessor } }).catch((e) => e);
    if (!(r && r.status === 200)) failures.push(`token ${accessor}`);
  }
  for (const name of created.policies.splice(0)) {
    const r = await call("DELETE", "/v1/acl/policy/{name}", { path: { name } }).catch((e) => e);
    if (!(r && r.status === 200)) failures.push(`policy ${name}`);
  }
  cache.clear();
  return failures;
}
