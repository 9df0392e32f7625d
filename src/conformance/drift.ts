/**
 * Drift: which properties of a JSON body the spec's schema does not declare (unknown), and which
 * declared properties were seen (so the report can list the declared ones never seen).
 */
import { deref, type SpecNode } from "../spec/load.ts";
import { specDoc, specValidator } from "./spec.ts";

/** Result of {@link driftOf}: dotted property paths. */
export interface Drift {
  unknown: string[];
  seen: string[];
}

/** Schema node at a JSON pointer of the bundled spec. */
function at(pointer: string): SpecNode | undefined {
  return deref<SpecNode>(specDoc(), { $ref: pointer });
}

/** Walks `value` along `schema`, collecting undeclared and declared-and-present property paths. */
export function driftOf(pointer: string, value: unknown): Drift {
  const out: Drift = { unknown: [], seen: [] };
  walk(at(pointer), pointer, value, "", out, 0);
  return out;
}

function walk(
  schemaIn: SpecNode | undefined,
  ptrIn: string,
  value: unknown,
  path: string,
  out: Drift,
  depth: number,
): void {
  if (!schemaIn || depth > 40 || value === null || typeof value !== "object") return;
  let schema = schemaIn;
  let ptr = ptrIn;
  for (let hops = 0; typeof schema.$ref === "string" && hops < 32; hops++) {
    ptr = schema.$ref;
    schema = at(ptr) ?? {};
  }
  const branches = (schema.oneOf ?? schema.anyOf) as SpecNode[] | undefined;
  if (branches) {
    // Follow the branch the value validates against (the first, when several do).
    const idx = branches.findIndex(
      (_, i) =>
        specValidator().validate(`${ptr}/${schema.oneOf ? "oneOf" : "anyOf"}/${i}`, value).length === 0,
    );
    if (idx >= 0)
      walk(branches[idx], `${ptr}/${schema.oneOf ? "oneOf" : "anyOf"}/${idx}`, value, path, out, depth + 1);
    return;
  }
  if (Array.isArray(value)) {
    const items = schema.items as SpecNode | undefined;
    for (const v of value) walk(items, `${ptr}/items`, v, `${path}[]`, out, depth + 1);
    return;
  }
  const { props, extra } = objectShape(schema, ptr);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    const prop = props.get(k);
    if (prop) {
      out.seen.push(p);
      walk(prop.schema, prop.ptr, v, p, out, depth + 1);
    } else if (extra) {
      walk(extra.schema, extra.ptr, v, `${path}.*`, out, depth + 1);
    } else {
      out.unknown.push(p);
    }
  }
}

type Located = { schema: SpecNode; ptr: string };

/** Declared properties of an object schema, `allOf` branches merged; `extra` for free-form maps. */
function objectShape(
  schema: SpecNode,
  ptr: string,
): { props: Map<string, Located>; extra: Located | undefined } {
  const props = new Map<string, Located>();
  let extra: Located | undefined;
  const esc = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
  const visit = (nodeIn: SpecNode, at: string, depth: number): void => {
    let node = nodeIn;
    let here = at;
    for (let hops = 0; typeof node.$ref === "string" && hops < 32; hops++) {
      here = node.$ref;
      node = deref<SpecNode>(specDoc(), { $ref: here });
    }
    for (const [k, sub] of Object.entries((node.properties ?? {}) as Record<string, SpecNode>)) {
      if (!props.has(k)) props.set(k, { schema: sub, ptr: `${here}/properties/${esc(k)}` });
    }
    const ap = node.additionalProperties;
    if (ap === true) extra ??= { schema: {}, ptr: here };
    else if (ap && typeof ap === "object")
      extra ??= { schema: ap as SpecNode, ptr: `${here}/additionalProperties` };
    if (depth < 8)
      for (const [i, b] of ((node.allOf ?? []) as SpecNode[]).entries())
        visit(b, `${here}/allOf/${i}`, depth + 1);
  };
  visit(schema, ptr, 0);
  return { props, extra };
}
