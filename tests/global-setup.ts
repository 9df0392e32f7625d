/** Vitest global setup: (re)bundle the spec when dist/openapi.json is missing or older than the spec. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleSpec } from "../scripts/bundle.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Newest modification time of the spec sources (every file under openapi/, and redocly.yaml). */
function newestSource(dir = join(root, "openapi")): number {
  let newest = statSync(join(root, "redocly.yaml")).mtimeMs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const bundle = join(root, "dist", "openapi.json");
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource()) bundleSpec();
}
