#!/usr/bin/env node
// nomad-conformance: runs src/cli/main.ts through tsx (no build step). Exit codes: 0 conformant,
// 1 not conformant, 2 usage, configuration or connection error.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exit(await main(process.argv.slice(2)));
