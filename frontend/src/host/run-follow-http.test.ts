import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AppError, ExecutionEvent } from "@flow/bindings";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followRunOverHttp, runEventsUrl } from "./run-follow-http";

// A real server speaking the run stream's wire format (`id: <seq>`, `data: <ExecutionEvent>`,
// `: ping` comments), so the follow is exercised through Node's fetch and a socket.
let server: Server;
let baseUrl: string;
const requests: string[] = [];

function event(executionId: string, seq: number, kind = "node_log"): Record<string, unknown> {
  const base = { execution_id: executionId, seq, at: "2030-01-01T00:00:00Z", kind };
  return kind === "done" ? { ...base, status: "succeeded" } : { ...base, node_id: "a", stream: "stdout", line: `line ${String(seq)}` };
}

function frame(value: Record<string, unknown>): string {
  return `id: ${String(value.seq)}\ndata: ${JSON.stringify(value)}\n\n`;
}

function stream(res: ServerResponse, frames: string[], end: "end" | "break" = "end") {
  res.writeHead(200, { "Content-Type": "text/event-stream" });
  res.write(": ping\n\n");
  for (const text of frames) res.write(text);
  if (end === "end") res.end();
  else setTimeout(() => res.socket?.destroy(), 50);
}

function route(req: IncomingMessage, res: ServerResponse) {
  const url = req.url ?? "";
  requests.push(url);
  switch (url) {
    case "/api/runs/whole/events":
      stream(res, [frame(event("whole", 0)), frame(event("whole", 1)), frame(event("whole", 2, "done"))]);
      return;
    case "/api/runs/whole/events?after=0":
      stream(res, [frame(event("whole", 1)), frame(event("whole", 2, "done"))]);
      return;
    case "/api/runs/broken/events":
      stream(res, [frame(event("broken", 0)), frame(event("broken", 1))], "break");
      return;
    case "/api/runs/broken/events?after=1":
      // A repeated event is dropped; the follow goes on from the next seq.
      stream(res, [frame(event("broken", 1)), frame(event("broken", 2, "done"))]);
      return;
    case "/api/runs/interrupted/events":
      stream(res, [frame(event("interrupted", 0))]);
      return;
    case "/api/runs/interrupted/events?after=0":
      stream(res, []);
      return;
    case "/api/runs/gone/events":
      res.writeHead(401, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "Unauthorized", error: "missing or invalid token" }));
      return;
    default:
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "NotFound", error: "no run nope" }));
  }
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
});

/** Follows until `count` events arrived (or an error did), then stops. */
function follow(executionId: string, after: number | null, count: number, onUnauthorized?: () => void) {
  return new Promise<{ seqs: number[]; error: AppError | null }>((resolve, reject) => {
    const seqs: number[] = [];
    const timeout = setTimeout(() => {
      reject(new Error(`only ${String(seqs.length)} of ${String(count)} events arrived`));
    }, 8_000);
    const stop = followRunOverHttp(
      executionId,
      after,
      (received: ExecutionEvent) => {
        seqs.push(received.seq);
        if (seqs.length === count) {
          clearTimeout(timeout);
          stop();
          resolve({ seqs, error: null });
        }
      },
      (error) => {
        clearTimeout(timeout);
        resolve({ seqs, error });
      },
      { baseUrl, onUnauthorized },
    );
  });
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("followRunOverHttp", () => {
  it("names the run's event stream, after a seq when given", () => {
    expect(runEventsUrl("a b", null)).toBe("/api/runs/a%20b/events");
    expect(runEventsUrl("r", 41, "http://h")).toBe("http://h/api/runs/r/events?after=41");
  });

  it("delivers every event in order, from the start or after a seq, and stops after done", async () => {
    const seqs: number[] = [];
    // Not stopped by the test: after `done` it attaches no more.
    followRunOverHttp("whole", null, (received) => seqs.push(received.seq), undefined, { baseUrl });
    await settle(1_300);
    expect(seqs).toEqual([0, 1, 2]);
    expect(await follow("whole", 0, 2)).toEqual({ seqs: [1, 2], error: null });
    expect(requests.filter((url) => url.startsWith("/api/runs/whole/"))).toEqual(["/api/runs/whole/events", "/api/runs/whole/events?after=0"]);
  });

  it("resumes a broken connection after the last event seen, each seq once", async () => {
    expect(await follow("broken", null, 3)).toEqual({ seqs: [0, 1, 2], error: null });
    expect(requests.filter((url) => url.startsWith("/api/runs/broken/"))).toEqual(["/api/runs/broken/events", "/api/runs/broken/events?after=1"]);
  });

  it("stops when an attach brings nothing new (a run that ended without done)", async () => {
    const seqs: number[] = [];
    const stop = followRunOverHttp("interrupted", null, (received) => seqs.push(received.seq), undefined, { baseUrl });
    await settle(2_500);
    stop();
    expect(seqs).toEqual([0]);
    expect(requests.filter((url) => url.startsWith("/api/runs/interrupted/"))).toEqual([
      "/api/runs/interrupted/events",
      "/api/runs/interrupted/events?after=0",
    ]);
  });

  it("reports a refusal as the server's AppError and does not retry", async () => {
    expect(await follow("nope", null, 1)).toEqual({ seqs: [], error: { kind: "NotFound", error: "no run nope" } });
    let unauthorized = false;
    const gone = await follow("gone", null, 1, () => {
      unauthorized = true;
    });
    expect(gone.error).toEqual({ kind: "Unauthorized", error: "missing or invalid token" });
    expect(unauthorized).toBe(true);
    await settle(1_300);
    expect(requests.filter((url) => url.startsWith("/api/runs/nope/") || url.startsWith("/api/runs/gone/"))).toHaveLength(2);
  });
});
