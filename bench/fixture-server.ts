/**
 * Child process of `npm run bench:fixtures`: the real-HTTP fixture agent (`startFixtureServer` on
 * 127.0.0.1, any free port) in its own process, so the load generator does not share its event loop.
 * Talks to the parent over IPC: sends `{ type: "ready", url, allocId, task }`; answers `mem` with
 * `process.memoryUsage()` taken after a forced GC (run with --expose-gc); `append` starts appending
 * one log line to the seeded task's stdout every `everyMs` (what followed log streams carry);
 * `stop` closes the server and exits.
 */
import { createWorld, startFixtureServer } from "../src/fixtures/index.ts";

type Message = { type: "mem" } | { type: "append"; everyMs: number } | { type: "stop" };

const gc = (globalThis as { gc?: () => void }).gc;
const send = (m: unknown) => process.send?.(m);

const world = createWorld();
const { allocId, task } = world.seed;
const running = await startFixtureServer({ port: 0, host: "127.0.0.1", world });
let appender: NodeJS.Timeout | undefined;
let lines = 0;

process.on("message", (m: Message) => {
  switch (m.type) {
    case "mem":
      gc?.();
      gc?.();
      send({ type: "mem", gc: gc !== undefined, ...process.memoryUsage() });
      break;
    case "append": {
      const files = world.allocs.get(allocId)?.files;
      if (!files) throw new Error(`seed alloc ${allocId} is missing`);
      clearInterval(appender);
      appender = setInterval(() => {
        lines++;
        files.append(`alloc/logs/${task}.stdout.0`, `bench line ${lines} ${new Date().toISOString()}\n`);
      }, m.everyMs);
      break;
    }
    case "stop":
      clearInterval(appender);
      void running.close().finally(() => process.exit(0));
      break;
  }
});
process.on("disconnect", () => process.exit(0));
send({ type: "ready", url: running.url, allocId, task });
