/**
 * Global setup of the conformance project (main process, once per run): against a real agent with
 * writes allowed and no allocation given, submit the seed job and hand its allocation to every test
 * file (`provide("nomadConformanceSeed")`, read by setup.ts); the teardown removes the job. vitest
 * runs teardowns on close, which the CLI reaches after cancelling a run (SIGINT, deadline) too; a
 * cancellation while the job is starting stops the wait and removes the job at once.
 */
import type { TestProject } from "vitest/node";
import { ensureSeedAllocation } from "../../src/conformance/seed-job.ts";
import { targetConfigFromEnv } from "../../src/conformance/target.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = targetConfigFromEnv();
  const abort = new AbortController();
  const off = project.vitest.onCancel(() => abort.abort());
  // vitest has ended its own output stream by the time teardowns run (seen with the CLI): use stderr then.
  const log = (line: string) => {
    const out = project.vitest.logger.outputStream as NodeJS.WritableStream & { writableEnded?: boolean };
    if (out.writableEnded) process.stderr.write(`nomad-conformance: ${line}\n`);
    else project.vitest.logger.log(`nomad-conformance: ${line}`);
  };
  const seed = await ensureSeedAllocation({
    ...config,
    driver: process.env.NOMAD_CONFORMANCE_JOB_DRIVER?.trim() || undefined,
    signal: abort.signal,
  }).finally(off);
  if (seed.jobId) log(`seed job ${seed.jobId} running allocation ${seed.allocId}`);
  if (seed.reason) log(`${seed.reason}; the file and log behaviours are skipped`);
  project.provide("nomadConformanceSeed", {
    allocId: seed.allocId,
    task: seed.task,
    reason: seed.reason,
    jobId: seed.jobId,
  });
  return async () => {
    if (!seed.jobId) return;
    try {
      await seed.cleanup();
      log(`seed job ${seed.jobId} removed`);
    } catch (error) {
      log((error as Error).message);
      throw error;
    }
  };
}
