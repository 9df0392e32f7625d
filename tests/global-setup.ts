/** Vitest global setup: bundle the spec once so every test reads the same fresh dist/openapi.json. */
import { bundleSpec } from "../scripts/bundle.ts";

export default function setup(): void {
  bundleSpec();
}
