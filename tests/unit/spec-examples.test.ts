import { describe, expect, it } from "vitest";
import { deref, loadBundledSpec, type SpecNode } from "../../src/spec/load.ts";
import { createSpecValidator, pointerToken } from "../../src/spec/validator.ts";

/** Every example in the document, with the pointer of the schema it must satisfy. */
function collectExamples(doc: SpecNode): { where: string; schema: string; value: unknown }[] {
  const found: { where: string; schema: string; value: unknown }[] = [];
  const visit = (node: unknown, ptr: string): void => {
    if (Array.isArray(node)) {
      for (const [i, v] of node.entries()) visit(v, `${ptr}/${i}`);
      return;
    }
    if (!node || typeof node !== "object") return;
    const obj = node as SpecNode;
    // Media types and parameters: `schema` beside `example` / `examples` (named Example objects).
    if (obj.schema && typeof obj.schema === "object") {
      const schema = `${ptr}/schema`;
      if ("example" in obj) found.push({ where: `${ptr}/example`, schema, value: obj.example });
      if (obj.examples && typeof obj.examples === "object" && !Array.isArray(obj.examples)) {
        for (const [name, raw] of Object.entries(obj.examples as Record<string, SpecNode>)) {
          const ex = deref<SpecNode>(doc, raw);
          if (ex && "value" in ex)
            found.push({ where: `${ptr}/examples/${pointerToken(name)}`, schema, value: ex.value });
        }
      }
    }
    // Schemas: the JSON Schema `examples` array.
    if (
      Array.isArray(obj.examples) &&
      ("type" in obj || "properties" in obj || "$ref" in obj || "enum" in obj)
    ) {
      for (const [i, value] of obj.examples.entries())
        found.push({ where: `${ptr}/examples/${i}`, schema: ptr, value });
    }
    for (const [k, v] of Object.entries(obj)) {
      if (k === "example" || (k === "examples" && Array.isArray(v))) continue;
      visit(v, `${ptr}/${pointerToken(k)}`);
    }
  };
  visit(doc, "#");
  return found;
}

describe("examples in the spec", () => {
  const doc = loadBundledSpec();
  const validator = createSpecValidator(doc);
  const examples = collectExamples(doc);

  it("exist (the seed pages' samples are carried over where they still hold)", () => {
    expect(examples.length).toBeGreaterThan(30);
  });

  it.each(examples.map((e) => [e.where, e] as const))("%s validates against its schema", (_where, ex) => {
    expect(validator.validate(ex.schema, ex.value)).toEqual([]);
  });
});
