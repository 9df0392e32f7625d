/**
 * A valid ("happy") request for every operation, built from what the target has: read-only where
 * possible, and for mutating operations a request that leaves state as it was (servers set to the
 * current list, scheduler config set to the current values, a metadata key set then unset, an
 * unknown peer id, a node name no member has). Used by the shape and ACL checks.
 */
import { type CallInit, call } from "./exchange.ts";
import { getTarget } from "./target.ts";

/** A prepared request, or the reason it cannot be made against this target. */
export type Prepared = { init: CallInit; untilMs?: number; cleanup?: () => Promise<void> } | { skip: string };

/** Streams are read for 1.6 heartbeats: long enough to see one. */
const stream = (init: CallInit): Prepared => ({ init, untilMs: Math.round(getTarget().heartbeatMs * 1.6) });

/** The log file of the seeded task (always present for a task that started). */
export const stdoutPath = () => `alloc/logs/${getTarget().seed.task}.stdout.0`;

/** The current server list of the client agent. */
async function currentServers(): Promise<string[]> {
  const res = await call("GET", "/v1/agent/servers");
  return Array.isArray(res.json) ? (res.json as string[]) : [];
}

/** Prepares the happy request of logical operation `name` (method as in the spec). */
export async function prepare(name: string): Promise<Prepared> {
  const t = getTarget();
  const alloc = { alloc_id: t.seed.allocId ?? "" };
  switch (name) {
    case "agentSetServers": {
      const servers = await currentServers();
      return servers.length
        ? { init: { query: { address: servers } } }
        : { skip: "the client knows no server" };
    }
    case "agentJoin": {
      const members = (await call("GET", "/v1/agent/members")).json as {
        Members?: { Name: string; Addr: string; Port: number }[];
      };
      const self = members?.Members?.find((m) => m.Name === t.agent.serverName);
      return self
        ? { init: { query: { address: [`${self.Addr}:${self.Port}`] } } }
        : { skip: "own serf address unknown" };
    }
    case "agentForceLeave":
      return { init: { query: { node: `${t.runId}-no-such-member.${t.agent.region}` } } };
    case "agentMonitor":
      return stream({ query: { log_level: "trace" } });
    case "agentCpuProfile":
    case "agentTrace":
      return { init: { query: { seconds: 1 } } };
    case "agentLookup":
      return { init: { path: { profile: "goroutine" } } };
    case "agentSetSchedulerWorkerConfig": {
      const cur = (await call("GET", "/v1/agent/schedulers/config")).json as {
        num_schedulers?: number;
        enabled_schedulers?: string[];
      };
      if (cur?.num_schedulers === undefined) return { skip: "the scheduler configuration could not be read" };
      return {
        init: { body: { num_schedulers: cur.num_schedulers, enabled_schedulers: cur.enabled_schedulers } },
      };
    }
    case "nodeMetaApply": {
      const key = `nomad_conformance.${t.runId.replace(/[^A-Za-z0-9_]/g, "_")}`;
      return {
        init: { body: { Meta: { [key]: "shape" } } },
        cleanup: async () => {
          await call("POST", "/v1/client/metadata", { body: { Meta: { [key]: null } } });
        },
      };
    }
    case "allocStats":
    case "allocGC":
      return { init: { path: alloc } };
    case "allocFsList":
      return { init: { path: alloc, query: { path: "/" } } };
    case "allocFsStat":
    case "allocFsCat":
      return { init: { path: alloc, query: { path: stdoutPath() } } };
    case "allocFsReadAt":
      return { init: { path: alloc, query: { path: stdoutPath(), offset: 0, limit: 4 } } };
    case "allocFsStream":
      return stream({ path: alloc, query: { path: stdoutPath(), follow: false } });
    case "allocFsLogs":
      return stream({ path: alloc, query: { task: t.seed.task ?? "", type: "stdout" } });
    case "operatorRaftRemovePeerByID":
      return { init: { query: { id: `${t.runId}-no-such-peer` } } };
    default:
      return { init: {} };
  }
}
