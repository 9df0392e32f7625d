/**
 * Fails when src/generated/ is stale: regenerates the types with openapi-typescript (config in
 * redocly.yaml) and compares them with what was there before. The fresh file is left in place.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = `${root}/src/generated/nomad.d.ts`;
const before = existsSync(target) ? readFileSync(target, "utf8") : "";
execFileSync(fileURLToPath(new URL("../node_modules/.bin/openapi-typescript", import.meta.url)), [], {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"],
  env: { ...process.env, REDOCLY_TELEMETRY: "off" },
});
const after = readFileSync(target, "utf8");
if (before !== after) {
  console.error(
    "src/generated/nomad.d.ts was stale: it has been regenerated from the spec. Review and commit it (never edit it by hand).",
  );
  process.exit(1);
}
console.log("src/generated/nomad.d.ts is up to date with the spec");
