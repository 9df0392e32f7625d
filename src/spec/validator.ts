/**
 * Validates values against schemas of the bundled spec with Ajv (JSON Schema 2020-12, strict mode),
 * addressing any schema by its JSON pointer inside the document.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import * as formatsModule from "ajv-formats";
import type { SpecNode } from "./load.ts";

type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((formatsModule as unknown as { default?: AddFormats }).default ??
  formatsModule) as unknown as AddFormats;

/** OpenAPI keywords that may sit beside or above schemas; Ajv treats them as annotations. */
const openApiKeywords = [
  "openapi",
  "info",
  "jsonSchemaDialect",
  "servers",
  "paths",
  "webhooks",
  "components",
  "security",
  "tags",
  "externalDocs",
  "example",
  "xml",
  "discriminator",
];

/** A validator bound to one spec document. */
export interface SpecValidator {
  /** Errors of `value` against the schema at `pointer` (e.g. `#/components/schemas/StreamFrame`); [] when valid. */
  validate(pointer: string, value: unknown): ErrorObject[];
}

/** Collects every `x-…` key used anywhere in the document (Ajv must know them in strict mode). */
function vendorKeys(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const v of node) vendorKeys(v, into);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith("x-")) into.add(k);
      vendorKeys(v, into);
    }
  }
  return into;
}

/** Builds a validator for the spec document. */
export function createSpecValidator(doc: SpecNode): SpecValidator {
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("uint64", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat("double", { type: "number", validate: () => true });
  ajv.addFormat("float", { type: "number", validate: () => true });
  ajv.addVocabulary([...openApiKeywords, ...vendorKeys(doc)]);
  ajv.addSchema(doc, "oas");
  const cache = new Map<string, ValidateFunction>();
  return {
    validate(pointer, value) {
      let fn = cache.get(pointer);
      if (!fn) {
        fn = ajv.compile({ $ref: `oas${pointer}` });
        cache.set(pointer, fn);
      }
      return fn(value) ? [] : [...(fn.errors ?? [])];
    },
  };
}

/** Escapes one JSON pointer token. */
export function pointerToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
