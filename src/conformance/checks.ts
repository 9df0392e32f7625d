/**
 * Spec-derived checks on one response: a declared status, a declared content type, a body that
 * validates (JSON, or each frame of a stream), and drift (properties the spec does not declare).
 */
import { FrameSplitter } from "../client/index.ts";
import type { SpecNode, SpecOperation } from "../spec/load.ts";
import { activeMeta } from "./behaviour.ts";
import { driftOf } from "./drift.ts";
import { type CallResult, printable } from "./exchange.ts";
import { redact } from "./redact.ts";
import { declaredResponse, mediaSchemaPointer, specValidator } from "./spec.ts";

/** Media type without parameters, lower case. */
export const essence = (ct: string | undefined) => (ct ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

/** Declared key matching a Content-Type: exact (parameters included) when the key has parameters. */
export function matchMediaType(declared: string[], actual: string | undefined): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, "");
  return (
    declared.find((k) => k.includes(";") && actual !== undefined && norm(k) === norm(actual)) ??
    declared.find((k) => !k.includes(";") && essence(k) === essence(actual))
  );
}

/** Problems of `res` against what `op` declares; [] when it conforms. */
export function conformanceProblems(op: SpecOperation, res: CallResult): string[] {
  const declared = declaredResponse(op, res.status);
  if (!declared) {
    const statuses = Object.keys(op.raw.responses as object).join(", ");
    return [
      `status ${res.status} is not declared for ${op.operationId} (declared: ${statuses}); body: ${printable(redact(res.text).slice(0, 200))}`,
    ];
  }
  const content = (declared.content ?? {}) as Record<string, SpecNode>;
  const types = Object.keys(content);
  if (types.length === 0) {
    return res.bytes.length === 0
      ? []
      : [`status ${res.status} declares no body, got ${res.bytes.length} bytes`];
  }
  const key = matchMediaType(types, res.contentType);
  if (!key)
    return [
      `Content-Type ${res.contentType ?? "(none)"} is not one of ${types.join(", ")} for ${res.status}`,
    ];
  const pointer = mediaSchemaPointer(op, res.status, key);
  const stream = op["x-nomad-stream"];
  if (
    stream?.framing === "concatenated-json" &&
    res.status === 200 &&
    (content[key]?.schema as SpecNode)?.$ref
  ) {
    return frameProblems(op, pointer, res);
  }
  if (essence(key) !== "application/json") return [];
  if (res.json === undefined) return [`body is not JSON: ${printable(redact(res.text).slice(0, 200))}`];
  return validateValue(op, pointer, res.json);
}

function validateValue(op: SpecOperation, pointer: string, value: unknown): string[] {
  const errors = specValidator().validate(pointer, value);
  const meta = activeMeta();
  if (meta) {
    const drift = driftOf(pointer, value);
    meta.drift.push(
      ...drift.unknown.map((property) => ({
        operation: op.operationId,
        schema: pointer,
        property,
        kind: "unknown-property" as const,
      })),
    );
    meta.seen[pointer] = [...new Set([...(meta.seen[pointer] ?? []), ...drift.seen])];
  }
  return errors.map(
    (e) => `${e.instancePath || "(body)"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`,
  );
}

/** Splits a (possibly partial) frame stream with the client's reader and validates every frame. */
function frameProblems(op: SpecOperation, pointer: string, res: CallResult): string[] {
  const splitter = new FrameSplitter();
  const problems: string[] = [];
  const frames = splitter.push(res.bytes);
  const error = splitter.takeError();
  if (error) problems.push(`the stream is not well-formed concatenated JSON frames: ${error.message}`);
  else if (!res.partial && !res.truncated) {
    try {
      splitter.end();
    } catch (e) {
      problems.push(`the stream ended inside a frame: ${(e as Error).message}`);
    }
  }
  if (frames.length === 0 && res.partial) {
    problems.push("no frame arrived while the stream was read (the agent sends a {} heartbeat every second)");
  }
  for (const [i, f] of frames.entries()) {
    // The wire form again (zero fields omitted, as the agent writes them).
    const wire: Record<string, unknown> = {};
    if (f.Offset) wire.Offset = f.Offset;
    if (f.Data.length) wire.Data = Buffer.from(f.Data).toString("base64");
    if (f.File) wire.File = f.File;
    if (f.FileEvent) wire.FileEvent = f.FileEvent;
    problems.push(...validateValue(op, pointer, wire).map((p) => `frame ${i}: ${p}`));
  }
  return problems;
}
