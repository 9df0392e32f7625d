/**
 * Loads the bundled spec (`dist/openapi.json`, written by `npm run bundle`) and lists its operations
 * with their x-nomad-* extensions.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { HttpMethod, NomadOperationExtensions } from "./extensions.ts";

/** Default location of the bundled spec inside the package. */
export const bundledSpecPath = fileURLToPath(new URL("../../dist/openapi.json", import.meta.url));

/** A JSON value of the spec document. */
export type SpecNode = Record<string, unknown>;

/** One operation of the spec: where it lives and what it says. */
export interface SpecOperation extends NomadOperationExtensions {
  method: HttpMethod;
  path: string;
  operationId: string;
  tags: string[];
  /** The raw OpenAPI operation object (refs unresolved). */
  raw: SpecNode;
}

const methods: HttpMethod[] = ["get", "put", "post", "delete", "patch", "head", "options"];

/** Reads and parses the bundled spec document. */
export function loadBundledSpec(path: string = bundledSpecPath): SpecNode {
  return JSON.parse(readFileSync(path, "utf8")) as SpecNode;
}

/** The operations of a spec document, in path order then method order. */
export function listOperations(doc: SpecNode): SpecOperation[] {
  const paths = (doc.paths ?? {}) as Record<string, SpecNode>;
  const out: SpecOperation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of methods) {
      const op = item[method] as SpecNode | undefined;
      if (!op) continue;
      out.push({
        ...(extensionsOf(op) as unknown as NomadOperationExtensions),
        method,
        path,
        operationId: String(op.operationId ?? ""),
        tags: (op.tags as string[] | undefined) ?? [],
        raw: op,
      });
    }
  }
  return out;
}

/** The `x-nomad-*` keys of an object. */
export function extensionsOf(node: SpecNode): SpecNode {
  return Object.fromEntries(Object.entries(node).filter(([k]) => k.startsWith("x-nomad-")));
}

/** Follows a local `$ref` (`#/components/...`) inside the document; returns non-refs unchanged. */
export function deref<T = SpecNode>(doc: SpecNode, node: unknown): T {
  let cur = node as SpecNode;
  for (let hops = 0; cur && typeof cur.$ref === "string"; hops++) {
    if (hops > 32) throw new Error(`$ref loop at ${String(cur.$ref)}`);
    const ref = cur.$ref as string;
    if (!ref.startsWith("#/")) throw new Error(`Not a local $ref: ${ref}`);
    cur = ref
      .slice(2)
      .split("/")
      .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce<SpecNode>((n, key) => n?.[key] as SpecNode, doc);
    if (cur === undefined) throw new Error(`Unresolved $ref ${ref}`);
  }
  return cur as T;
}
