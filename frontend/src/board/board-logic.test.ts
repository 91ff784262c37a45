import type { Task } from "@flow/bindings";
import { describe, expect, it } from "vitest";
import {
  createRefetchCoalescer,
  descriptionOf,
  filterSessions,
  groupTasks,
  projectsOf,
  sessionTitle,
  sortSessions,
  type RefetchPlan,
  type Scheduler,
} from "./board-logic";
import { sessionItem as session } from "./test-fixtures";


function task(id: string, status: string, over: Partial<Task> = {}): Task {
  return { id, subject: `Task ${id}`, description: "", activeForm: "", status, owner: "", blocks: [], blockedBy: [], ...over };
}

const SESSIONS = [
  session("a", { name: "refactor-auth", project: "/src/webapp", gitBranch: "feat/auth", modifiedAt: "2026-03-01T10:00:00.000Z" }),
  session("b", { slug: "glimmering-otter", project: "/src/api", gitBranch: "main", modifiedAt: "2026-03-03T10:00:00.000Z" }),
  session("c", {
    name: "docs pass",
    project: "/src/webapp",
    modifiedAt: "2026-02-01T10:00:00.000Z",
    transcript: {
      messageCount: 3,
      models: [],
      lastActivity: "2026-03-05T10:00:00.000Z",
      usage: { inputTokens: null, outputTokens: null, cacheCreationInputTokens: null, cacheReadInputTokens: null },
    },
  }),
];

describe("sessions", () => {
  it("sorts newest activity first and names sessions by name, slug, then id", () => {
    expect(sortSessions(SESSIONS).map((s) => s.id)).toEqual(["c", "b", "a"]);
    expect(SESSIONS.map(sessionTitle)).toEqual(["refactor-auth", "glimmering-otter", "docs pass"]);
    expect(sessionTitle(session("zzz"))).toBe("zzz");
  });

  it("searches name, slug, project and branch case-insensitively, every word must match", () => {
    const ids = (search: string, project = "") => filterSessions(SESSIONS, { search, project }).map((s) => s.id);
    expect(ids("")).toEqual(["c", "b", "a"]);
    expect(ids("AUTH")).toEqual(["a"]);
    expect(ids("otter")).toEqual(["b"]);
    expect(ids("webapp")).toEqual(["c", "a"]);
    expect(ids("main")).toEqual(["b"]);
    expect(ids("webapp docs")).toEqual(["c"]);
    expect(ids("nothing-like-this")).toEqual([]);
  });

  it("filters by project and lists the distinct projects", () => {
    expect(projectsOf(SESSIONS)).toEqual(["/src/api", "/src/webapp"]);
    expect(filterSessions(SESSIONS, { search: "", project: "/src/webapp" }).map((s) => s.id)).toEqual(["c", "a"]);
    expect(filterSessions(SESSIONS, { search: "auth", project: "/src/api" })).toEqual([]);
  });
});

describe("groupTasks", () => {
  it("puts tasks in their status column, unknown statuses in pending, ordered by numeric id", () => {
    const columns = groupTasks([
      task("10", "pending"),
      task("2", "completed"),
      task("9", "pending"),
      task("3", "in_progress"),
      task("4", "deleted"),
      task("1", "completed"),
    ]);
    expect(columns.pending.map((t) => t.id)).toEqual(["4", "9", "10"]);
    expect(columns.in_progress.map((t) => t.id)).toEqual(["3"]);
    expect(columns.completed.map((t) => t.id)).toEqual(["1", "2"]);
  });

  it("keeps tasks of different sessions apart in the all-tasks view", () => {
    const columns = groupTasks([
      { ...task("1", "pending"), sessionId: "b" },
      { ...task("2", "pending"), sessionId: "a" },
      { ...task("1", "pending"), sessionId: "a" },
    ]);
    expect(columns.pending.map((t) => `${t.sessionId}/${t.id}`)).toEqual(["a/1", "a/2", "b/1"]);
  });
});

function fakeScheduler() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const scheduler: Scheduler = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((x, y) => x[1].at - y[1].at)[0];
      if (due === undefined) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].callback();
    }
    now = end;
  };
  return { scheduler, advance, pending: () => timers.size };
}

describe("createRefetchCoalescer", () => {
  it("turns a burst of events into one flush after a quiet spell, merging what they ask for", () => {
    const { scheduler, advance } = fakeScheduler();
    const flushes: RefetchPlan[] = [];
    const coalescer = createRefetchCoalescer((plan) => flushes.push(plan), 250, 1_000, scheduler);
    for (let i = 0; i < 100; i += 1) {
      coalescer.mark({ list: true, session: i % 2 === 0 ? "a" : "b" });
      advance(1);
    }
    coalescer.mark({ session: null });
    expect(flushes).toHaveLength(0);
    advance(249);
    expect(flushes).toHaveLength(0);
    advance(1);
    expect(flushes).toHaveLength(1);
    expect(flushes[0]).toEqual({ list: true, all: false, sessions: new Set(["a", "b"]) });
    advance(5_000);
    expect(flushes).toHaveLength(1);
  });

  it("still flushes during an endless storm, at most once per max wait", () => {
    const { scheduler, advance } = fakeScheduler();
    const flushes: RefetchPlan[] = [];
    const coalescer = createRefetchCoalescer((plan) => flushes.push(plan), 250, 1_000, scheduler);
    for (let i = 0; i < 300; i += 1) {
      coalescer.mark({ list: true });
      advance(10); // 3 s of events, one every 10 ms
    }
    expect(flushes.length).toBeGreaterThanOrEqual(2);
    expect(flushes.length).toBeLessThanOrEqual(3);
  });

  it("starts a new plan after a flush and drops everything on cancel", () => {
    const { scheduler, advance, pending } = fakeScheduler();
    const flushes: RefetchPlan[] = [];
    const coalescer = createRefetchCoalescer((plan) => flushes.push(plan), 250, 1_000, scheduler);
    coalescer.mark({ all: true });
    advance(300);
    coalescer.mark({ session: "x" });
    advance(300);
    expect(flushes).toEqual([
      { list: false, all: true, sessions: new Set() },
      { list: false, all: false, sessions: new Set(["x"]) },
    ]);
    coalescer.mark({ list: true });
    coalescer.cancel();
    expect(pending()).toBe(0);
    advance(1_000);
    expect(flushes).toHaveLength(2);
  });
});

describe("descriptionOf", () => {
  it("reads the description of a returned task document", () => {
    expect(descriptionOf({ id: "1", description: "a\n\n---\n\nnote" })).toBe("a\n\n---\n\nnote");
    expect(descriptionOf({ id: "1" })).toBeNull();
    expect(descriptionOf(null)).toBeNull();
    expect(descriptionOf("x")).toBeNull();
  });
});
