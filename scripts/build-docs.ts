/**
 * Builds the offline API reference (dist/docs/index.html) with `redocly build-docs --inlineBundle`.
 * Before rendering, each operation's description gets a summary of its x-nomad-* extensions (ACL
 * enforced vs documented, agent role, version, methods, mutation, stream framing, errata), so readers
 * see the agent's real behaviour without opening the YAML.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { listOperations, loadBundledSpec, type SpecOperation } from "../src/spec/load.ts";
import { bundleSpec } from "./bundle.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const redocly = fileURLToPath(new URL("../node_modules/.bin/redocly", import.meta.url));

const code = (s: string) => `\`${s}\``;
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Markdown summary of an operation's extensions. */
export function behaviourSummary(op: SpecOperation): string {
  const acl = op["x-nomad-acl"];
  const enforced =
    acl.anyOf.length === 0
      ? "none (no ACL check)"
      : acl.anyOf[0] === "management"
        ? "management token only"
        : `any of ${acl.anyOf.map(code).join(", ")}`;
  const methods = op["x-nomad-methods"];
  const rows: [string, string][] = [
    [
      "ACL enforced",
      enforced + (acl.debugWhenAclDisabled ? "; with ACLs disabled, needs `enable_debug`" : ""),
    ],
    ["ACL on the docs page", code(acl.documented)],
    ["Agent mode", op["x-nomad-agent"]],
    ["Since", `Nomad ${op["x-nomad-since"]}`],
    [
      "Methods",
      methods.accepts.includes("any")
        ? "any method (no method check)"
        : `${methods.accepts.join(", ")}; otherwise ${methods.otherwise?.status} ${code(methods.otherwise?.body || "(empty body)")}`,
    ],
    ["Changes state", op["x-nomad-mutates"] ? "yes" : "no"],
  ];
  if (acl.note) rows.push(["ACL note", acl.note]);
  const stream = op["x-nomad-stream"];
  if (stream) {
    const parts = [stream.framing === "raw" ? "raw bytes" : "concatenated JSON StreamFrame objects"];
    if (stream.heartbeat)
      parts.push(`heartbeat ${code(stream.heartbeat)} every ${stream.heartbeatIntervalMs} ms`);
    if (stream.plain) parts.push(`${code(`${stream.plain.param}=true`)} → ${code(stream.plain.contentType)}`);
    if (stream.follow) parts.push(`${code(stream.follow.param)} defaults to ${stream.follow.default}`);
    parts.push(`ends: ${stream.ends}`);
    rows.push(["Stream", parts.join("; ")]);
  }
  for (const c of op["x-nomad-changes"] ?? []) rows.push([`Changed in ${c.version}`, c.change]);
  const table = ["| | |", "|---|---|", ...rows.map(([k, v]) => `| **${k}** | ${cell(v)} |`)].join("\n");
  const errata = (op["x-nomad-errata"] ?? []).map((e) => `- **Docs:** ${e.docs} **Agent:** ${e.agent}`);
  return [
    table,
    errata.length ? `\n**Where the docs and the agent differ**\n\n${errata.join("\n")}` : "",
  ].join("\n");
}

/** Writes dist/openapi.docs.json (descriptions enriched) and renders dist/docs/index.html. */
export function buildDocs(): string {
  bundleSpec();
  const doc = loadBundledSpec();
  for (const op of listOperations(doc)) {
    op.raw.description = `${behaviourSummary(op)}\n\n${String(op.raw.description ?? "")}`;
  }
  mkdirSync(`${root}/dist/docs`, { recursive: true });
  writeFileSync(`${root}/dist/openapi.docs.json`, JSON.stringify(doc, null, 2));
  const out = "dist/docs/index.html";
  execFileSync(
    redocly,
    [
      "build-docs",
      "dist/openapi.docs.json",
      "--inlineBundle",
      "--output",
      out,
      "--title",
      "Nomad HTTP API (agent, client, operator raft)",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, REDOCLY_TELEMETRY: "off" } },
  );
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`docs: ${buildDocs()}`);
}
