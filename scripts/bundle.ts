/**
 * Bundles the multi-file spec into dist/openapi.yaml and dist/openapi.json with `redocly bundle`.
 * Used by `npm run bundle` and by the test setup, so tests always read a fresh bundle.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const redocly = fileURLToPath(new URL("../node_modules/.bin/redocly", import.meta.url));

/** Writes both bundle files; throws with redocly's output when bundling fails. */
export function bundleSpec(): void {
  mkdirSync(`${root}/dist`, { recursive: true });
  for (const out of ["dist/openapi.yaml", "dist/openapi.json"]) {
    execFileSync(redocly, ["bundle", "nomad@v1", "--output", out], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  bundleSpec();
  console.log("bundled: dist/openapi.yaml, dist/openapi.json");
}
