import { defineConfig } from "vitest/config";
import { loadCatalogue } from "./src/conformance/catalogue.ts";
import { mutants } from "./src/fixtures/mutants.ts";

/**
 * One project per broken fixture variant: the conformance file holding the behaviour that must
 * catch it, run against the fixture agent with that one deviation. Used by tests/unit/mutants.test.ts.
 */
const catalogue = loadCatalogue();
export default defineConfig({
  test: {
    projects: Object.entries(mutants).map(([name, m]) => {
      const b = catalogue.find((x) => x.id === m.catches);
      if (!b) throw new Error(`mutant ${name} names unknown behaviour ${m.catches}`);
      return {
        test: {
          name: `mutant:${name}`,
          include: [`tests/conformance/${b.file}`],
          setupFiles: ["tests/conformance/setup.ts"],
          env: { NOMAD_CONFORMANCE_FIXTURE_MUTANT: name, NOMAD_CONFORMANCE_TARGET: "fixtures" },
          testTimeout: 30_000,
        },
      };
    }),
  },
});
