/**
 * The drift report: properties the target sent that the spec does not declare (from the tests'
 * `meta.drift`), and properties the spec declares that no exercised response ever carried (the
 * schemas' declared properties minus `meta.seen`).
 * Note: property paths are dotted (`config.Version.Version`); array indices (`[0]`, `[]`) are
 * dropped, so `Members[3].Name` and `Members.Name` are the same property. Maps
 * (`additionalProperties`) are not descended into: their keys are data, not schema.
 */
import { deref, type SpecNode } from "../../spec/load.ts";
import type { CaseOutcome, DriftFinding, DriftReport } from "./model.ts";

const MAX_DEPTH = 8;

/** `Members[3].Name` → `Members.Name`. */
export function normalisePath(path: string): string {
  return path
    .replace(/\[[^\]]*\]/g, "")
    .split(".")
    .filter((p) => p !== "" && !/^\d+$/.test(p))
    .join(".");
}

/** Dotted paths of every property a schema declares, following $refs, allOf/oneOf/anyOf and array items. */
export function declaredProperties(
  doc: SpecNode,
  schema: unknown,
  prefix = "",
  depth = 0,
  refs: string[] = [],
): string[] {
  if (depth > MAX_DEPTH || !schema || typeof schema !== "object") return [];
  const ref = (schema as SpecNode).$ref;
  if (typeof ref === "string") {
    if (refs.includes(ref)) return [];
    let target: unknown;
    try {
      target = deref(doc, schema);
    } catch {
      return [];
    }
    return declaredProperties(doc, target, prefix, depth, [...refs, ref]);
  }
  const s = schema as SpecNode;
  const out: string[] = [];
  for (const key of ["allOf", "oneOf", "anyOf"]) {
    for (const part of (s[key] as unknown[] | undefined) ?? [])
      out.push(...declaredProperties(doc, part, prefix, depth, refs));
  }
  if (s.items) out.push(...declaredProperties(doc, s.items, prefix, depth, refs));
  for (const [name, sub] of Object.entries((s.properties as Record<string, unknown> | undefined) ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    out.push(path, ...declaredProperties(doc, sub, path, depth + 1, refs));
  }
  return [...new Set(out)];
}

function add(
  map: Map<string, DriftFinding>,
  schema: string,
  property: string,
  operation: string,
  behaviour?: string,
) {
  const key = `${schema}\u0000${property}`;
  const f = map.get(key) ?? { schema, property, operations: [], behaviours: [] };
  if (operation && !f.operations.includes(operation)) f.operations.push(operation);
  if (behaviour && !f.behaviours.includes(behaviour)) f.behaviours.push(behaviour);
  map.set(key, f);
}

const sorted = (m: Map<string, DriftFinding>) =>
  [...m.values()].sort((a, b) => a.schema.localeCompare(b.schema) || a.property.localeCompare(b.property));

/** Drift over the outcomes of the behaviours that ran; without a spec only unknown properties are reported. */
export function computeDrift(
  outcomes: readonly CaseOutcome[],
  operationOf: (id: string) => string,
  doc?: SpecNode,
): DriftReport {
  const unknown = new Map<string, DriftFinding>();
  const seen = new Map<string, Set<string>>();
  const schemaOps = new Map<string, Set<string>>();
  for (const o of outcomes) {
    const operation = operationOf(o.id);
    for (const d of o.drift ?? []) {
      if (d.kind === "unknown-property")
        add(unknown, d.schema, normalisePath(d.property), d.operation || operation, o.id);
    }
    for (const [schema, props] of Object.entries(o.seen ?? {})) {
      const set = seen.get(schema) ?? new Set<string>();
      for (const p of props) {
        // A seen property implies its parents were seen.
        const parts = normalisePath(p).split(".");
        for (let i = 1; i <= parts.length; i++) set.add(parts.slice(0, i).join("."));
      }
      seen.set(schema, set);
      schemaOps.set(schema, (schemaOps.get(schema) ?? new Set()).add(operation));
    }
  }
  const neverSeen = new Map<string, DriftFinding>();
  if (doc) {
    for (const [schema, set] of seen) {
      let declared: string[];
      try {
        declared = declaredProperties(doc, { $ref: schema });
      } catch {
        continue;
      }
      const missing: string[] = [];
      for (const p of declared) {
        // Only the topmost missing property: the children of a missing object are missing too.
        if (set.has(p) || missing.some((m) => p.startsWith(`${m}.`))) continue;
        missing.push(p);
        for (const op of schemaOps.get(schema) ?? []) add(neverSeen, schema, p, op);
      }
    }
  }
  return {
    unknownProperties: sorted(unknown),
    neverSeen: sorted(neverSeen),
    observedSchemas: [...seen.keys()].sort(),
  };
}
