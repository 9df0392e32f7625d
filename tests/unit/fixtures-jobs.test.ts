/** The fixture agent's job routes: register, allocations, evaluation, list, read, deregister (purge). */
import { describe, expect, it } from "vitest";
import { seedJob, seedOutput } from "../../src/conformance/seed-job.ts";
import { jobsOf } from "../../src/fixtures/world/jobs.ts";
import { fixtureAgent, MGMT } from "./fixtures-support.ts";

const agent = fixtureAgent();
const NODE = "7f3a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b";
const put = (body: unknown) => ({
  method: "PUT",
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const job = (over: Record<string, unknown> = {}) => ({
  Job: {
    ...seedJob({
      runId: "r1",
      nodeId: NODE,
      datacenter: "dc1",
      nodePool: "default",
      driver: "raw_exec",
      sleepSeconds: 60,
    }),
    ...over,
  },
});
const JOB = "nomad-conformance-r1";
const NODE_ATTR = "$" + "{node.unique.id}";

describe("PUT /v1/jobs", () => {
  it("registers, places one running allocation whose logs hold what the command echoes", async () => {
    const a = agent();
    const r = await a.call("/v1/jobs", put(job()));
    expect(r.status).toBe(200);
    const body = (await r.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      "EvalCreateIndex",
      "EvalID",
      "Index",
      "JobModifyIndex",
      "KnownLeader",
      "LastContact",
      "NextToken",
      "Warnings",
    ]);
    expect(r.headers.get("X-Nomad-Index")).toBe(String(body.Index));
    expect(body).toMatchObject({ KnownLeader: false, LastContact: 0, NextToken: "", Warnings: "" });

    const [status, text, headers] = await a.full(`/v1/job/${JOB}/allocations`);
    expect(status).toBe(200);
    expect(headers.get("X-Nomad-KnownLeader")).toBe("true");
    const stubs = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(stubs).toHaveLength(1);
    const stub = stubs[0] as Record<string, unknown> & { TaskStates: Record<string, { State: string }> };
    expect(stub).toMatchObject({
      ClientStatus: "running",
      DesiredStatus: "run",
      EvalID: body.EvalID,
      JobID: JOB,
      JobType: "batch",
      Name: `${JOB}.seed[0]`,
      NodeID: NODE,
      TaskGroup: "seed",
    });
    expect(stub.TaskStates.seed?.State).toBe("running");

    const out = seedOutput("r1");
    const id = stub.ID as string;
    const cat = (path: string) => a.text(`/v1/client/fs/cat/${id}?path=${encodeURIComponent(path)}`);
    expect(await cat("alloc/logs/seed.stdout.0")).toEqual([200, out.stdout]);
    expect(await cat("alloc/logs/seed.stderr.0")).toEqual([200, out.stderr]);
    expect(await cat(`seed/${out.file.path}`)).toEqual([200, out.file.content]);
    const logs = await a.text(`/v1/client/fs/logs/${id}?task=seed&type=stdout&plain=true`);
    expect(logs).toEqual([200, out.stdout]);
  });

  it("runs a shell subset: quoting, >&2, > file, and ends the task without sleep", async () => {
    const a = agent();
    const script = `echo "a  b" 'c'd; echo e >&2; echo f > local/x.txt; echo g >> local/x.txt; true`;
    const task = { Name: "t", Driver: "exec", Config: { command: "/bin/sh", args: ["-c", script] } };
    const r = await a.call("/v1/jobs", put({ Job: { ID: "j", TaskGroups: [{ Name: "g", Tasks: [task] }] } }));
    expect(r.status).toBe(200);
    const [stub] = JSON.parse((await a.text("/v1/job/j/allocations"))[1]) as Array<{
      ID: string;
      ClientStatus: string;
    }>;
    expect(stub?.ClientStatus).toBe("complete");
    const cat = async (p: string) => (await a.text(`/v1/client/fs/cat/${stub?.ID}?path=${p}`))[1];
    expect(await cat("alloc/logs/t.stdout.0")).toBe("a  b cd\n");
    expect(await cat("alloc/logs/t.stderr.0")).toBe("e\n");
    expect(await cat("t/local/x.txt")).toBe("f\ng\n");
  });

  it.each([
    ["", 400, "Request body is empty"],
    ["[]", 400, "json: cannot unmarshal array into Go value of type api.JobRegisterRequest"],
    ['{"Job":', 400, "unexpected EOF"],
    ["{}", 400, "Job must be specified"],
    ['{"Job":{}}', 400, "Job ID hasn't been provided"],
    ['{"Job":{"ID":"x","Type":"batch"}}', 500, "1 error occurred:\n\t* Missing job task groups\n\n"],
    [
      '{"Job":{"ID":"x","Type":"weird","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t"}]}]}}',
      500,
      '1 error occurred:\n\t* Invalid job type: "weird"\n\n',
    ],
    [
      '{"Job":{"ID":"x","Namespace":"nope","TaskGroups":[]}}',
      500,
      '1 error occurred:\n\t* job "x" is in nonexistent namespace "nope"\n\n',
    ],
  ])("refuses %s with %i (as observed on 2.0.6-dev)", async (body, status, text) => {
    const a = agent();
    expect(await a.text("/v1/jobs", { method: "PUT", body })).toEqual([status, text]);
    expect(jobsOf(a.world).jobs.size).toBe(0);
  });

  it("refuses a job ID that does not match the path, and other methods", async () => {
    const a = agent();
    expect(await a.text("/v1/job/other", put(job()))).toEqual([400, "Job ID does not match name"]);
    expect(await a.text("/v1/jobs", { method: "PATCH" })).toEqual([405, "Invalid method"]);
    expect(await a.text(`/v1/job/${JOB}/allocations`, { method: "POST" })).toEqual([405, "Invalid method"]);
  });

  it("checks submit-job with ACLs: anonymous, unknown and read-only tokens get 403", async () => {
    const a = agent({ acl: true, bootstrapToken: MGMT });
    expect(await a.text("/v1/jobs", put(job()))).toEqual([403, "Permission denied"]);
    const unknown = "11111111-2222-4333-8444-555555555555";
    expect(await a.text("/v1/jobs", { ...put(job()), token: unknown })).toEqual([403, "Permission denied"]);
    expect(await a.text(`/v1/job/${JOB}/allocations`, { token: "bad" })).toEqual([403, "Permission denied"]);
    expect((await a.call("/v1/jobs", { ...put(job()), token: MGMT })).status).toBe(200);
  });
});

describe("placement failures are reported on the evaluation", () => {
  it.each([
    [
      "a missing driver",
      { TaskGroups: [{ Name: "g", Tasks: [{ Name: "t", Driver: "nosuch" }] }] },
      "missing drivers",
    ],
    [
      "another node",
      { Constraints: [{ LTarget: NODE_ATTR, RTarget: "x", Operand: "=" }] },
      `${NODE_ATTR} = x`,
    ],
  ])("%s: no allocation, a blocked eval, FailedTGAllocs names the filter", async (_, over, key) => {
    const a = agent();
    const reg = (await (await a.call("/v1/jobs", put(job(over)))).json()) as { EvalID: string };
    const [status, text] = await a.text(`/v1/evaluation/${reg.EvalID}`);
    expect(status).toBe(200);
    const ev = JSON.parse(text) as {
      Status: string;
      BlockedEval: string;
      FailedTGAllocs: Record<string, unknown>;
    };
    expect(ev.Status).toBe("complete");
    const metric = Object.values(ev.FailedTGAllocs)[0] as Record<string, unknown>;
    expect(metric).toMatchObject({ ConstraintFiltered: { [key]: 1 }, NodesEvaluated: 1, NodesFiltered: 1 });
    expect(JSON.parse((await a.text(`/v1/evaluation/${ev.BlockedEval}`))[1])).toMatchObject({
      Status: "blocked",
    });
    expect(await a.text(`/v1/job/${JOB}/allocations`)).toEqual([200, "[]"]);
    const list = JSON.parse((await a.text("/v1/jobs"))[1]) as Array<{ Status: string }>;
    expect(list.map((j) => j.Status)).toEqual(["pending"]);
  });

  it("answers unknown and malformed evaluation IDs like the agent", async () => {
    const a = agent();
    expect(await a.text("/v1/evaluation/00000000-0000-0000-0000-000000000000")).toEqual([
      404,
      "eval not found",
    ]);
    expect(await a.text("/v1/evaluation/xyz")).toEqual([
      500,
      "failed to lookup eval: eval lookup failed: index error: UUID must be 36 characters",
    ]);
  });
});

describe("DELETE /v1/job/{id}", () => {
  it("purge removes the job and its allocations; a second purge answers zero indexes", async () => {
    const a = agent();
    await a.call("/v1/jobs", put(job()));
    const [stub] = JSON.parse((await a.text(`/v1/job/${JOB}/allocations`))[1]) as Array<{ ID: string }>;
    const r = await a.call(`/v1/job/${JOB}?purge=true`, { method: "DELETE" });
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ KnownLeader: false, VolumeEvalID: "", VolumeEvalIndex: 0 });
    expect(body.EvalID).toMatch(/^[0-9a-f-]{36}$/);
    expect(jobsOf(a.world).jobs.size).toBe(0);
    expect(await a.text("/v1/jobs")).toEqual([200, "[]"]);
    expect(await a.text(`/v1/job/${JOB}`)).toEqual([404, "job not found"]);
    expect((await a.text(`/v1/client/fs/ls/${stub?.ID}?path=/`))[0]).toBe(404);
    const again = (await (await a.call(`/v1/job/${JOB}?purge=true`, { method: "DELETE" })).json()) as object;
    expect(again).toMatchObject({ EvalID: "", Index: 0, JobModifyIndex: 0 });
  });

  it("without purge stops the job: dead, allocation complete, files still readable", async () => {
    const a = agent();
    await a.call("/v1/jobs", put(job()));
    expect((await a.call(`/v1/job/${JOB}`, { method: "DELETE" })).status).toBe(200);
    const [j] = JSON.parse((await a.text("/v1/jobs"))[1]) as Array<{ Status: string; Stop: boolean }>;
    expect(j).toMatchObject({ Status: "dead", Stop: true });
    const [stub] = JSON.parse((await a.text(`/v1/job/${JOB}/allocations`))[1]) as Array<
      Record<string, string>
    >;
    expect(stub).toMatchObject({ ClientStatus: "complete", DesiredStatus: "stop" });
    expect((await a.text(`/v1/client/fs/cat/${stub?.ID}?path=alloc/logs/seed.stdout.0`))[0]).toBe(200);
  });

  it("refuses a purge value ParseBool rejects, and needs submit-job or purge-job", async () => {
    const a = agent({ acl: true, bootstrapToken: MGMT });
    expect(await a.text(`/v1/job/${JOB}?purge=maybe`, { method: "DELETE", token: MGMT })).toEqual([
      500,
      'Failed to parse value of "purge" (maybe) as a bool: strconv.ParseBool: parsing "maybe": invalid syntax',
    ]);
    expect(await a.text(`/v1/job/${JOB}?purge=true`, { method: "DELETE" })).toEqual([
      403,
      "Permission denied",
    ]);
  });
});
