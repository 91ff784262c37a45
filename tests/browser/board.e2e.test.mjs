// End to end: the Board page against the real flow-server binary, over a small Claude Code
// tree (TASKS_DIR / PROJECTS_DIR) written by this file, driven in headless Chromium.
//
//   cd frontend && npm ci && npm run build
//   cargo build -p flow-server
//   cd tests/browser && npm ci
//   FLOW_SERVER_BIN=$PWD/../../target/debug/flow-server [PUBLIC_DIR=$PWD/../../frontend/dist] npm test
//
// Live updates are covered by writing task files while the page is open (the server's watcher).

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { UI_TIMEOUT_MS, annotateFailure, startBrowserSession } from "./harness.mjs";

const NOTE_BLOCK = "\n\n---\n\n#### [Note added by user]\n\n";

// Two sessions with task lists and transcripts, and one with only a task list.
const AUTH = "3f2b9c1e-7a4d-4e6b-9c21-0d8e5a7b1f42";
const DOCS = "8a1d2c3b-1111-4222-8333-944455566677";
const BARE = "c0ffee00-2222-4333-8444-555566667777";

/** @type {Awaited<ReturnType<typeof startServer>> | undefined} */
let server;
let tasksDir = "";
/** @type {import("playwright-core").Browser | undefined} */
let browser;
/** @type {Awaited<ReturnType<typeof startBrowserSession>> | undefined} */
let session;
let loginUrl = "";
let origin = "";

function taskDoc(id, subject, status, extra = {}) {
  return {
    id,
    subject,
    description: "",
    activeForm: `${subject}ing`,
    status,
    blocks: [],
    blockedBy: [],
    ...extra,
  };
}

function transcriptLines(sessionId, cwd, branch, slug, title) {
  const base = {
    parentUuid: null,
    isSidechain: false,
    userType: "external",
    cwd,
    sessionId,
    version: "2.1.34",
    gitBranch: branch,
    slug,
  };
  const lines = [
    { ...base, type: "user", message: { role: "user", content: "Get going" }, uuid: `${sessionId.slice(0, 8)}-u1`, timestamp: "2026-03-05T10:00:00.118Z" },
    { type: "custom-title", customTitle: title, sessionId },
  ];
  return lines.map((line) => JSON.stringify(line)).join("\n") + "\n";
}

/** Writes the fixture tree; `at` orders the sessions (newest first: AUTH, DOCS, BARE). */
async function writeFixture(root) {
  const tasks = path.join(root, "tasks");
  const projects = path.join(root, "projects");
  const lists = {
    [AUTH]: [
      taskDoc("1", "Add JWT middleware", "completed", {
        description: "Validate bearer tokens on `/api/*`.\n\n- reject expired\n- reject unsigned",
        blocks: ["2"],
      }),
      taskDoc("2", "Write auth tests", "in_progress", { blockedBy: ["1"], owner: "worker-1" }),
      taskDoc("3", "Document the auth flow", "pending", { description: "Explain the **token** exchange." }),
      taskDoc("4", "Remove the legacy login", "pending"),
    ],
    [DOCS]: [taskDoc("1", "Write the README", "pending"), taskDoc("2", "Spell check", "completed")],
    [BARE]: [taskDoc("1", "Lonely task", "in_progress")],
  };
  // Recent, so that no session is idle long enough to be archived (board-views tests that).
  const now = Math.floor(Date.now() / 1000);
  const times = { [AUTH]: now - 100, [DOCS]: now - 200, [BARE]: now - 300 };
  for (const [sessionId, docs] of Object.entries(lists)) {
    const dir = path.join(tasks, sessionId);
    await mkdir(dir, { recursive: true });
    for (const doc of docs) {
      const file = path.join(dir, `${doc.id}.json`);
      await writeFile(file, JSON.stringify(doc, null, 2));
      await utimes(file, times[sessionId], times[sessionId]);
    }
  }
  const webapp = path.join(projects, "-home-dev-src-webapp");
  const site = path.join(projects, "-home-dev-src-site");
  await mkdir(webapp, { recursive: true });
  await mkdir(site, { recursive: true });
  await writeFile(path.join(webapp, `${AUTH}.jsonl`), transcriptLines(AUTH, "/home/dev/src/webapp", "feat/auth", "glimmering-dancing-otter", "refactor-auth-flow"));
  await writeFile(path.join(site, `${DOCS}.jsonl`), transcriptLines(DOCS, "/home/dev/src/site", "main", "quiet-paper-crane", "docs-pass"));
  return { tasks, projects };
}

before(async () => {
  const root = await mkdtemp(path.join(tmpdir(), "flow-board-e2e-"));
  const studioDir = path.join(root, "studio");
  await mkdir(studioDir);
  const fixture = await writeFixture(root);
  tasksDir = fixture.tasks;
  session = await startBrowserSession(root, { FLOW_STUDIO_DIR: studioDir, TASKS_DIR: fixture.tasks, PROJECTS_DIR: fixture.projects });
  ({ server, browser, loginUrl, origin } = session);
});

after(async () => {
  await session?.close();
});

/** Runs a test body with a signed-in page; on failure, screenshots it into artifacts/. */
function withBoard(name, body) {
  return async () => {
    assert.ok(browser, "the browser did not start (see the before() hook's error)");
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(loginUrl);
      await page.getByRole("heading", { name: "Board", level: 1 }).waitFor();
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      await body(page);
    } catch (error) {
      await annotateFailure(error, name, context.pages(), server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  };
}

const sessions = (page) => page.getByRole("region", { name: "Sessions" });
const column = (page, title) => page.getByRole("region", { name: title, exact: true });
const detail = (page) => page.getByRole("complementary", { name: "Task details" });

async function sessionNames(page) {
  return sessions(page).locator(".session-list .session-name").allTextContents();
}

async function columnIds(page, title) {
  const ids = await column(page, title).locator(".task-card").evaluateAll((cards) => cards.map((card) => card.dataset.taskId));
  return ids;
}

async function openSession(page, name) {
  await sessions(page).getByRole("button", { name: new RegExp(name) }).click();
  await page.getByRole("heading", { name, level: 2 }).waitFor();
  await column(page, "Pending").waitFor();
}

/** The detail panel's task, opened from its card. */
async function openTask(page, id) {
  await page.locator(`.task-card[data-task-id="${id}"]`).click();
  await detail(page).getByText(`#${id}`, { exact: true }).waitFor();
}

describe("Board page against flow-server", () => {
  test(
    "lists the sessions newest first, with counts, and filters them",
    withBoard("board-list", async (page) => {
      await sessions(page).getByText("refactor-auth-flow").waitFor();
      assert.deepEqual(await sessionNames(page), ["refactor-auth-flow", "docs-pass", BARE]);

      const auth = sessions(page).locator(`[data-session-id="${AUTH}"]`);
      assert.match((await auth.textContent()) ?? "", /2 pending.*1 in progress.*1 done/);
      assert.match((await auth.textContent()) ?? "", /\/home\/dev\/src\/webapp/);

      await page.getByLabel("Search sessions").fill("MAIN");
      await page.waitForFunction(() => document.querySelectorAll(".session-list .session-name").length === 1);
      assert.deepEqual(await sessionNames(page), ["docs-pass"]);

      await page.getByLabel("Search sessions").fill("");
      await page.getByLabel("Project").selectOption("/home/dev/src/webapp");
      await page.waitForFunction(() => document.querySelectorAll(".session-list .session-name").length === 1);
      assert.deepEqual(await sessionNames(page), ["refactor-auth-flow"]);
    }),
  );

  test(
    "a session shows its tasks in status columns; All tasks spans sessions; deep links select a session",
    withBoard("board-columns", async (page) => {
      await openSession(page, "refactor-auth-flow");
      assert.equal(new URL(page.url()).searchParams.get("session"), AUTH);
      assert.deepEqual(await columnIds(page, "Pending"), ["3", "4"]);
      assert.deepEqual(await columnIds(page, "In progress"), ["2"]);
      assert.deepEqual(await columnIds(page, "Completed"), ["1"]);

      await openTask(page, "1");
      const panel = detail(page);
      await panel.getByRole("heading", { name: /Add JWT middleware/ }).waitFor();
      await panel.locator("code", { hasText: "/api/*" }).waitFor();
      assert.equal(await panel.locator(".markdown li").count(), 2);
      // blocks/blockedBy are links to the other task.
      await panel.getByRole("button", { name: "#2", exact: true }).click();
      await panel.getByRole("heading", { name: /Write auth tests/ }).waitFor();
      await panel.getByText("Owner: worker-1").waitFor();

      await sessions(page).getByRole("button", { name: "All tasks" }).click();
      await page.getByRole("heading", { name: "All tasks", level: 2 }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll(".task-card").length === 7);
      assert.equal(await column(page, "In progress").locator(".task-card").count(), 2);
      assert.equal(await column(page, "Completed").locator(".task-card").count(), 2);

      await page.goto(`${origin}/board?session=${DOCS}`);
      await page.getByRole("heading", { name: "docs-pass", level: 2 }).waitFor();
      await column(page, "Pending").locator(".task-card").first().waitFor();
      assert.deepEqual(await columnIds(page, "Pending"), ["1"]);
      assert.deepEqual(await columnIds(page, "Completed"), ["2"]);
    }),
  );

  test(
    "adding a note shows it and appends the note block to the task file",
    withBoard("board-note", async (page) => {
      await openSession(page, "refactor-auth-flow");
      await openTask(page, "3");
      const panel = detail(page);
      await panel.getByLabel("Add a note").fill("Mention the <refresh> token too.");
      await panel.getByRole("button", { name: "Add note", exact: true }).click();
      await panel.getByText("Note added", { exact: true }).waitFor();
      await panel.getByRole("heading", { name: "[Note added by user]" }).waitFor();
      await panel.getByText("Mention the <refresh> token too.").waitFor();
      assert.equal(await panel.locator(".markdown hr").count(), 1);

      const onDisk = JSON.parse(await readFile(path.join(tasksDir, AUTH, "3.json"), "utf8"));
      assert.equal(onDisk.description, `Explain the **token** exchange.${NOTE_BLOCK}Mention the <refresh> token too.`);
      assert.equal(onDisk.subject, "Document the auth flow");
    }),
  );

  test(
    "deleting a blocker is refused with the server's message; deleting a free task removes it",
    withBoard("board-delete", async (page) => {
      await openSession(page, "refactor-auth-flow");
      await openTask(page, "1");
      const panel = detail(page);
      await panel.getByRole("button", { name: "Delete", exact: true }).click();
      await panel.getByRole("button", { name: "Delete task", exact: true }).click();
      const alert = panel.getByRole("alert");
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? "", /Cannot delete task that blocks other tasks \(blocked: 2\)/);
      assert.ok(existsSync(path.join(tasksDir, AUTH, "1.json")), "the refused task must stay on disk");
      assert.deepEqual(await columnIds(page, "Completed"), ["1"]);

      await openTask(page, "4");
      await detail(page).getByRole("button", { name: "Delete", exact: true }).click();
      await detail(page).getByRole("button", { name: "Delete task", exact: true }).click();
      await page.waitForFunction(() => document.querySelector('.task-card[data-task-id="4"]') === null);
      assert.equal(await detail(page).count(), 0);
      assert.equal(existsSync(path.join(tasksDir, AUTH, "4.json")), false);
      assert.deepEqual(await columnIds(page, "Pending"), ["3"]);
      // The list's counts follow.
      await page.waitForFunction(
        (id) => document.querySelector(`[data-session-id="${id}"]`)?.textContent?.includes("1 pending") === true,
        AUTH,
      );
    }),
  );

  test(
    "a task file written by an agent shows up and moves columns live, without a reload",
    withBoard("board-live", async (page) => {
      await openSession(page, BARE);
      assert.deepEqual(await columnIds(page, "Pending"), []);
      const file = path.join(tasksDir, BARE, "9.json");
      await writeFile(file, JSON.stringify(taskDoc("9", "Picked up live", "pending"), null, 2));
      await page.waitForFunction(() => document.querySelector('.task-card[data-task-id="9"]') !== null);
      assert.deepEqual(await columnIds(page, "Pending"), ["9"]);

      await writeFile(file, JSON.stringify(taskDoc("9", "Picked up live", "completed"), null, 2));
      // The card moves once the watcher's event arrives and the page refetches.
      for (let attempt = 0; attempt < 100 && !(await columnIds(page, "Completed")).includes("9"); attempt += 1) {
        await page.waitForTimeout(100);
      }
      assert.deepEqual(await columnIds(page, "Completed"), ["9"]);
      assert.deepEqual(await columnIds(page, "Pending"), []);
    }),
  );

  test(
    "the header's theme menu switches the theme from the board",
    withBoard("board-theme", async (page) => {
      await page.getByRole("combobox", { name: "Theme" }).selectOption("claude");
      await page.waitForFunction(() => document.documentElement.dataset.theme === "claude");
      const background = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--background").trim());
      assert.equal(background.toLowerCase(), "#fffbeb");
    }),
  );
});
