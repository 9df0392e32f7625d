import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCatalogue, loadHandWritten } from "../../src/conformance/catalogue.ts";

const dir = fileURLToPath(new URL("../conformance/", import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith(".test.ts"));
/** behaviour("<id>", …) calls with a literal id, per test file. */
const used = files.flatMap((file) =>
  [...readFileSync(`${dir}${file}`, "utf8").matchAll(/behaviour\(\s*"([^"]+)"/g)].map((m) => ({
    file,
    id: m[1] as string,
  })),
);

describe("conformance/behaviours.yaml and the tests (golden list)", () => {
  const hand = loadHandWritten();

  it("has every id at most once, sorted, well-formed", () => {
    const ids = hand.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+(\/[a-z0-9-]+){1,3}$/);
  });

  it("names in the tests only ids the catalogue has, each in exactly one test", () => {
    const ids = used.map((u) => u.id);
    expect(new Set(ids).size, "an id is used twice").toBe(ids.length);
    const known = new Set(hand.map((b) => b.id));
    expect(ids.filter((id) => !known.has(id))).toEqual([]);
  });

  it("has a test for every hand-written entry, in the file the entry names", () => {
    for (const b of hand) {
      const u = used.find((x) => x.id === b.id);
      expect(u, `${b.id} has no test`).toBeDefined();
      expect(u?.file, b.id).toBe(b.file);
    }
  });

  it("describes every behaviour with MUST or MUST NOT and names an operation of the spec", () => {
    const ops = new Set(
      loadCatalogue()
        .filter((b) => b.derived)
        .map((b) => b.operation),
    );
    for (const b of hand) {
      expect(b.description, b.id).toMatch(/\bMUST\b/);
      expect(ops.has(b.operation), `${b.id}: operation ${b.operation}`).toBe(true);
    }
  });

  it("derives shape and ACL-refusal checks for all 30 operations, capability checks where a capability is enforced", () => {
    const derived = loadCatalogue().filter((b) => b.derived);
    expect(new Set(derived.map((b) => b.operation)).size).toBe(30);
    expect(derived.filter((b) => b.check === "shape")).toHaveLength(30);
    expect(derived.filter((b) => b.id.endsWith("/acl-refusal"))).toHaveLength(30);
    const capability = derived.filter((b) => b.id.endsWith("/acl-capability"));
    expect(capability.length).toBeGreaterThanOrEqual(20);
    for (const b of capability) expect(b.requires, b.id).toContain("writes");
  });
});
