/**
 * Builds the importable library (`npm run build:lib`): JS + .d.ts of the two package entries
 * (src/index.ts, src/fixtures/index.ts and what they import) into dist/lib/ with tsconfig.build.json.
 * tsc does not copy hand-written .d.ts files, so src/generated/nomad.d.ts is copied next to the output.
 * The build goes to a scratch directory first and replaces dist/lib/ in one rename, so a reader of
 * dist/lib/ (npm pack, a test) never sees a half-written tree.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));

/** Where the library lands, relative to the package root (package.json `exports` points here). */
export const LIB_DIR = "dist/lib";

/** Compiles the library into dist/lib/; throws with tsc's diagnostics when the build fails. */
export function buildLib(): string {
  const staging = join(root, `dist/.lib-${process.pid}-${Date.now()}`);
  const target = join(root, LIB_DIR);
  mkdirSync(join(root, "dist"), { recursive: true });
  try {
    try {
      execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", staging], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      const out = e as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`tsc -p tsconfig.build.json failed:\n${out.stdout ?? ""}${out.stderr ?? ""}`);
    }
    mkdirSync(join(staging, "generated"), { recursive: true });
    cpSync(join(root, "src/generated/nomad.d.ts"), join(staging, "generated/nomad.d.ts"));
    for (const entry of ["index.js", "index.d.ts", "fixtures/index.js", "fixtures/index.d.ts"])
      if (!existsSync(join(staging, entry))) throw new Error(`build-lib: ${entry} was not emitted`);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`built: ${buildLib()}`);
}
