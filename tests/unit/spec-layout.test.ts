import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const specDir = fileURLToPath(new URL("../../openapi", import.meta.url));
const rootFile = join(specDir, "openapi.yaml");

/** Every `$ref` string in a parsed YAML value. */
function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const v of node) refsIn(v, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/** Files reachable from the root through file `$ref`s (fragment-only refs ignored). */
function reachableFiles(): Set<string> {
  const seen = new Set<string>([rootFile]);
  const queue = [rootFile];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const ref of refsIn(parse(readFileSync(file, "utf8")))) {
      const target = ref.split("#")[0];
      if (!target) continue;
      const abs = resolve(dirname(file), target);
      if (!seen.has(abs)) {
        seen.add(abs);
        queue.push(abs);
      }
    }
  }
  return seen;
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith(".yaml") ? [join(dir, e.name)] : [],
  );

describe("openapi/ layout", () => {
  const root = parse(readFileSync(rootFile, "utf8")) as { paths: Record<string, { $ref?: string }> };

  it.each(Object.entries(root.paths))("path %s is one $ref to the file named after its key", (key, item) => {
    expect(Object.keys(item)).toEqual(["$ref"]);
    expect(item.$ref).toBe(`paths/${key.replace(/^\/v1\//, "").replaceAll("/", "_")}.yaml`);
  });

  it("has no path file that the root does not reference, and the paths folder is flat", () => {
    const files = readdirSync(join(specDir, "paths")).sort();
    expect(files).toEqual(
      Object.values(root.paths)
        .map((p) => String(p.$ref).replace("paths/", ""))
        .sort(),
    );
  });

  it.each(readdirSync(join(specDir, "paths")).map((f) => [f]))(
    "paths/%s starts with its handler · go client anchor",
    (f) => {
      const first = readFileSync(join(specDir, "paths", f), "utf8").split("\n")[0];
      expect(first).toMatch(/^# handler: \S+\.go \S.* · go client: (api\.\S.*|none)$/);
    },
  );

  it("has no orphan file: every YAML file under openapi/ is reachable from the root", () => {
    const reachable = reachableFiles();
    const orphans = yamlFiles(specDir)
      .filter((f) => !relative(specDir, f).startsWith("_"))
      .filter((f) => !reachable.has(f))
      .map((f) => relative(specDir, f));
    expect(orphans).toEqual([]);
  });

  it("refers to whole files only (no fragment into another file), so each file is one component", () => {
    const bad = yamlFiles(specDir).flatMap((f) =>
      refsIn(parse(readFileSync(f, "utf8")))
        .filter((r) => /\.yaml#/.test(r))
        .map((r) => `${relative(specDir, f)} → ${r}`),
    );
    expect(bad).toEqual([]);
  });

  it("keeps one component per file, named in PascalCase, in a known component folder", () => {
    const comps = yamlFiles(join(specDir, "components")).map((f) => relative(join(specDir, "components"), f));
    expect(comps.length).toBeGreaterThan(0);
    for (const c of comps)
      expect(c).toMatch(/^(schemas|parameters|responses|headers|examples)\/[A-Z][A-Za-z0-9]*\.yaml$/);
  });
});
