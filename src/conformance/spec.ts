/**
 * The spec as the suite uses it: the bundled document, its operations, and one Ajv validator,
 * loaded once per test file.
 */
import { deref, listOperations, loadBundledSpec, type SpecNode, type SpecOperation } from "../spec/load.ts";
import { createSpecValidator, type SpecValidator } from "../spec/validator.ts";

let doc: SpecNode | undefined;
let ops: SpecOperation[] | undefined;
let validator: SpecValidator | undefined;

/** The bundled spec document. */
export function specDoc(): SpecNode {
  doc ??= loadBundledSpec();
  return doc;
}

/** All operations of the spec. */
export function specOperations(): SpecOperation[] {
  ops ??= listOperations(specDoc());
  return ops;
}

/** The validator bound to the bundled spec. */
export function specValidator(): SpecValidator {
  validator ??= createSpecValidator(specDoc());
  return validator;
}

/** The operation with this operationId; throws when the spec has none. */
export function operationById(operationId: string): SpecOperation {
  const op = specOperations().find((o) => o.operationId === operationId);
  if (!op) throw new Error(`The spec has no operation ${operationId}`);
  return op;
}

/** The operations of a logical operation (PUT/POST twins). */
export function operationsOf(name: string): SpecOperation[] {
  return specOperations().filter((o) => o["x-nomad-operation"] === name);
}

/** The declared response object of `op` for `status` (following $refs), if any. */
export function declaredResponse(op: SpecOperation, status: number): SpecNode | undefined {
  const responses = op.raw.responses as Record<string, unknown>;
  const hit = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  return hit === undefined ? undefined : deref<SpecNode>(specDoc(), hit);
}

/** JSON pointer of an operation's media type schema. */
export function mediaSchemaPointer(op: SpecOperation, status: number, mediaType: string): string {
  const esc = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
  const responses = op.raw.responses as Record<string, SpecNode>;
  const raw = responses[String(status)];
  const base =
    raw && typeof raw.$ref === "string"
      ? String(raw.$ref)
      : `#/paths/${esc(op.path)}/${op.method}/responses/${status}`;
  return `${base}/content/${esc(mediaType)}/schema`;
}
