// End to end: the Board page's views (Timeline, activity feed, completion notifications,
// Archived section, fuzzy search, Delete all tasks, keyboard shortcuts) against the real
// flow-server binary over a Claude Code tree this file writes, in headless Chromium.
//
//   cd frontend && npm ci && npm run build
//   cargo build -p flow-server
//   cd tests/browser && npm ci
//   FLOW_SERVER_BIN=$PWD/../../target/debug/flow-server node --test board-views.e2e.test.mjs
//
// Live changes are real task files written while the page is open (the server's watcher).

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { UI_TIMEOUT_MS, annotateFailure, startBrowserSession } from "./harness.mjs";

const DAY_S = 86_400;

const TIMELINE = "11111111-aaaa-4aaa-8aaa-000000000001";
const OLD_IMPORT = "11111111-aaaa-4aaa-8aaa-000000000002";
const FEED_A = "11111111-aaaa-4aaa-8aaa-000000000003";
const FEED_B = "11111111-aaaa-4aaa-8aaa-000000000004";
const NOTIFY = "11111111-aaaa-4aaa-8aaa-000000000005";
const DUSTY = "11111111-aaaa-4aaa-8aaa-000000000006";
const BULK = "11111111-aaaa-4aaa-8aaa-000000000007";
const KEYS = "11111111-aaaa-4aaa-8aaa-000000000008";

/** @type {Awaited<ReturnType<typeof startBrowserSession>> | undefined} */
let session;
let tasksDir = "";

function taskDoc(id, subject, status, extra = {}) {
  return { id, subject, description: "", activeForm: `${subject}ing`, status, blocks: [], blockedBy: [], ...extra };
}

function transcript(sessionId, cwd, title, at) {
  const base = { parentUuid: null, isSidechain: false, userType: "external", cwd, sessionId, version: "2.1.34", gitBranch: "main" };
  const lines = [
    { ...base, type: "user", message: { role: "user", content: "Go" }, uuid: `${sessionId.slice(-8)}-u1`, timestamp: at },
    { type: "custom-title", customTitle: title, sessionId },
  ];
  return lines.map((line) => JSON.stringify(line)).join("\n") + "\n";
}

/** Writes a task file; `ageS` (seconds) backdates its mtime. */
async function writeTask(sessionId, doc, ageS = null) {
  const dir = path.join(tasksDir, sessionId);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${doc.id}.json`);
  await writeFile(file, JSON.stringify(doc, null, 2));
  if (ageS !== null) {
    const at = Date.now() / 1000 - ageS;
    await utimes(file, at, at);
  }
  return file;
}

async function writeFixture(root) {
  tasksDir = path.join(root, "tasks");
  const projects = path.join(root, "projects");
  const now = Date.now();
  const sessions = [
    [TIMELINE, "/srv/charts", "timeline-run", now],
    [OLD_IMPORT, "/srv/charts", "old-import", now - 3 * DAY_S * 1000],
    [FEED_A, "/srv/feeds", "feed-alpha", now],
    [FEED_B, "/srv/feeds", "feed-beta", now],
    [NOTIFY, "/srv/bell", "notify-me", now],
    [DUSTY, "/srv/attic", "dusty-archive", now - 10 * DAY_S * 1000],
    [BULK, "/srv/cleanup", "bulk-clean", now],
    [KEYS, "/srv/keys", "keys-session", now],
  ];
  for (const [id, cwd, title, at] of sessions) {
    const dir = path.join(projects, cwd.replaceAll("/", "-"));
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `${id}.jsonl`), transcript(id, cwd, title, new Date(at).toISOString()));
  }
  await writeTask(TIMELINE, taskDoc("1", "Draw the axis", "completed", { blocks: ["2"] }));
  await writeTask(TIMELINE, taskDoc("2", "Place the bars", "pending", { blockedBy: ["1"] }));
  await writeTask(TIMELINE, taskDoc("3", "Add tooltips", "pending", { description: "Mind the pelican in the corner." }));
  await writeTask(OLD_IMPORT, taskDoc("1", "Import the archive", "completed"), 3 * DAY_S);
  await writeTask(OLD_IMPORT, taskDoc("2", "Check the import", "completed"), DAY_S);
  await writeTask(FEED_A, taskDoc("1", "Index the repo", "in_progress", { activeForm: "Indexing the repo" }), 120);
  await writeTask(FEED_B, taskDoc("1", "Write migrations", "in_progress", { activeForm: "Writing migrations" }), 60);
  await writeTask(NOTIFY, taskDoc("1", "Run the suite", "in_progress", { activeForm: "Running the suite" }), 30);
  await writeTask(DUSTY, taskDoc("1", "Sweep the attic", "completed", { description: "Cobwebs everywhere." }), 10 * DAY_S);
  await writeTask(DUSTY, taskDoc("2", "Label the boxes", "pending"), 10 * DAY_S);
  await writeTask(BULK, taskDoc("1", "Base layer", "completed", { blocks: ["2", "3"] }), 40);
  await writeTask(BULK, taskDoc("2", "Middle layer", "completed", { blockedBy: ["1"], blocks: ["3"] }), 40);
  await writeTask(BULK, taskDoc("3", "Top layer", "pending", { blockedBy: ["1", "2"] }), 40);
  await writeTask(BULK, taskDoc("4", "Loose end", "pending"), 40);
  await writeTask(KEYS, taskDoc("1", "Keep me", "completed", { blocks: ["2"] }), 20);
  await writeTask(KEYS, taskDoc("2", "Wait for one", "pending", { blockedBy: ["1"] }), 20);
  await writeTask(KEYS, taskDoc("3", "Delete me by key", "pending"), 20);
  return { tasks: tasksDir, projects };
}

before(async () => {
  const root = await mkdtemp(path.join(tmpdir(), "flow-board-views-e2e-"));
  const studioDir = path.join(root, "studio");
  await mkdir(studioDir);
  const fixture = await writeFixture(root);
  session = await startBrowserSession(root, { FLOW_STUDIO_DIR: studioDir, TASKS_DIR: fixture.tasks, PROJECTS_DIR: fixture.projects });
});

after(async () => {
  await session?.close();
});

/**
 * Runs a test body with a signed-in page on the board; on failure, screenshots it into
 * artifacts/. `setup` may prepare the context (permissions, init scripts) before the page opens.
 */
function withBoard(name, body, setup = async () => {}) {
  return async () => {
    assert.ok(session, "the server or browser did not start (see the before() hook's error)");
    const context = await session.browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      await setup(context);
      const page = await context.newPage();
      await page.goto(session.loginUrl);
      await page.getByRole("heading", { name: "Board", level: 1 }).waitFor();
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      await body(page, context);
    } catch (error) {
      await annotateFailure(error, name, context.pages(), session.server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  };
}

const sessionsRegion = (page) => page.getByRole("region", { name: "Sessions" });
const feed = (page) => page.getByRole("region", { name: "Live activity" });
const detail = (page) => page.getByRole("complementary", { name: "Task details" });
const column = (page, title) => page.getByRole("region", { name: title, exact: true });

async function openSession(page, name) {
  await sessionsRegion(page).getByRole("button", { name: new RegExp(name) }).click();
  await page.getByRole("heading", { name, level: 2 }).waitFor();
}

async function activeNames(page) {
  return sessionsRegion(page).locator(".session-list .session-name").allTextContents();
}

async function feedKeys(page) {
  return feed(page)
    .locator(".activity-item")
    .evaluateAll((items) => items.map((item) => `${item.dataset.sessionId}/${item.dataset.taskId}`));
}

/** Polls `read` until `accept` holds (the watcher's event and the refetch take a moment). */
async function eventually(read, accept, what) {
  let value;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    value = await read();
    if (accept(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${what}: last saw ${JSON.stringify(value)}`);
}

/** The file's mtime as the core writes times (ISO, milliseconds). */
async function mtimeIso(file) {
  const { mtimeMs } = await stat(file);
  return new Date(Math.floor(mtimeMs)).toISOString();
}

describe("Board views against flow-server", () => {
  test(
    "the Timeline draws a bar per task from creation to last update, scales its axis, shows exact times and opens a task",
    withBoard("board-timeline", async (page) => {
      await openSession(page, "timeline-run");
      await column(page, "Pending").waitFor();
      await page.getByRole("group", { name: "Layout" }).getByRole("button", { name: "Timeline" }).click();
      const timeline = page.getByRole("region", { name: "Timeline" });
      await timeline.locator(".timeline-bar").nth(2).waitFor();
      assert.equal(new URL(page.url()).searchParams.get("layout"), "timeline");
      assert.equal(await column(page, "Pending").count(), 0);
      assert.equal(await timeline.getAttribute("data-unit"), "seconds");
      assert.ok((await timeline.locator(".timeline-tick").count()) >= 2, "the axis has ticks");
      assert.deepEqual(
        (await timeline.locator(".timeline-bar").evaluateAll((bars) => bars.map((bar) => bar.dataset.taskId))).sort(),
        ["1", "2", "3"],
      );

      // Hover: the exact times, the update being the file's mtime.
      const bar = timeline.locator('.timeline-bar[data-task-id="3"]');
      await bar.hover();
      const tip = page.getByRole("tooltip");
      await tip.waitFor();
      const [createdAt, updatedAt] = await tip.locator("time").evaluateAll((times) => times.map((time) => time.getAttribute("datetime")));
      assert.equal(updatedAt, await mtimeIso(path.join(tasksDir, TIMELINE, "3.json")));
      assert.ok(!Number.isNaN(Date.parse(createdAt ?? "")), `createdAt ${createdAt} is a time`);
      const expected = await page.evaluate(([c, u]) => [new Date(c).toLocaleString(), new Date(u).toLocaleString()], [createdAt, updatedAt]);
      const tipText = (await tip.textContent()) ?? "";
      assert.ok(tipText.includes(`Created ${expected[0]}`) && tipText.includes(`Updated ${expected[1]}`), tipText);

      // A live change moves the bar's end and its status.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const file = await writeTask(TIMELINE, taskDoc("2", "Place the bars", "in_progress", { blockedBy: ["1"] }));
      await timeline.locator('.timeline-bar.in_progress[data-task-id="2"]').waitFor();
      await timeline.locator('.timeline-bar[data-task-id="2"]').hover();
      await eventually(
        () => page.getByRole("tooltip").locator("time").nth(1).getAttribute("datetime"),
        async (value) => value === (await mtimeIso(file)),
        "the bar's update time follows the file",
      );

      await bar.click();
      await detail(page).getByRole("heading", { name: /Add tooltips/ }).waitFor();

      // A list whose files are days old gets an axis in days; Kanban comes back on request.
      await openSession(page, "old-import");
      await timeline.locator('.timeline-bar[data-task-id="2"]').waitFor();
      assert.equal(await timeline.getAttribute("data-unit"), "days");
      await page.getByRole("group", { name: "Layout" }).getByRole("button", { name: "Kanban" }).click();
      await column(page, "Completed").locator(".task-card").nth(1).waitFor();
      assert.equal(await timeline.count(), 0);
    }),
  );

  test(
    "the activity feed lists in-progress tasks across sessions, newest first, follows live changes and opens a task",
    withBoard("board-activity", async (page) => {
      const entry = (sessionId, id) => feed(page).locator(`.activity-item[data-session-id="${sessionId}"][data-task-id="${id}"]`);
      await entry(FEED_A, "1").waitFor();
      const keys = await feedKeys(page);
      assert.ok(keys.indexOf(`${FEED_B}/1`) < keys.indexOf(`${FEED_A}/1`), `beta (updated later) comes first: ${keys}`);
      assert.match((await entry(FEED_B, "1").textContent()) ?? "", /feed-beta.*#1 Write migrations.*Writing migrations/);
      assert.ok(!keys.some((key) => key.startsWith(`${TIMELINE}/1`) || key.startsWith(`${OLD_IMPORT}/`)), "only tasks in progress");

      const file = await writeTask(FEED_A, taskDoc("2", "Review the diff", "in_progress", { activeForm: "Reviewing the diff" }));
      await eventually(() => feedKeys(page), (list) => list[0] === `${FEED_A}/2`, "the new in-progress task leads the feed");
      assert.match((await entry(FEED_A, "2").textContent()) ?? "", /feed-alpha.*Reviewing the diff/);

      await writeFile(file, JSON.stringify(taskDoc("2", "Review the diff", "completed"), null, 2));
      await eventually(() => feedKeys(page), (list) => !list.includes(`${FEED_A}/2`), "a completed task leaves the feed");

      await entry(FEED_B, "1").click();
      await page.getByRole("heading", { name: "feed-beta", level: 2 }).waitFor();
      assert.equal(new URL(page.url()).searchParams.get("session"), FEED_B);
      await detail(page).getByRole("heading", { name: /Write migrations/ }).waitFor();
    }),
  );

  test(
    "with the bell on, a task moving from in progress to completed notifies and chimes; the click opens it; the bell persists",
    withBoard(
      "board-notify",
      async (page) => {
        const bell = page.getByRole("button", { name: "Notify when a task completes" });
        assert.equal(await bell.getAttribute("aria-pressed"), "false");
        await bell.click();
        assert.equal(await bell.getAttribute("aria-pressed"), "true");
        assert.equal(await page.evaluate(() => localStorage.getItem("flow.board.bell")), "on");
        assert.equal(await page.evaluate(() => Notification.permission), "granted");
        // The overview must have seen the task in progress before it completes.
        await feed(page).locator(`.activity-item[data-session-id="${NOTIFY}"]`).waitFor();

        await writeTask(NOTIFY, taskDoc("1", "Run the suite", "completed"));
        await page.waitForFunction(() => window.__notifications.length > 0);
        const calls = await page.evaluate(() => window.__notifications.map(({ title, options }) => ({ title, body: options?.body })));
        assert.deepEqual(calls, [{ title: "Completed: Run the suite", body: "notify-me · task #1" }]);
        assert.ok((await page.evaluate(() => window.__oscillators)) >= 2, "the chime played its notes");

        await page.evaluate(() => window.__notifications[0].instance.dispatchEvent(new Event("click")));
        await page.getByRole("heading", { name: "notify-me", level: 2 }).waitFor();
        await detail(page).getByRole("heading", { name: /Run the suite/ }).waitFor();

        await page.reload();
        await page.getByRole("heading", { name: "Board", level: 1 }).waitFor();
        assert.equal(await page.getByRole("button", { name: "Notify when a task completes" }).getAttribute("aria-pressed"), "true");
      },
      async (context) => {
        await context.grantPermissions(["notifications"], { origin: session?.origin });
        // Records the page's calls to the real Notification constructor and WebAudio oscillators.
        await context.addInitScript(() => {
          window.__notifications = [];
          window.__oscillators = 0;
          const Real = window.Notification;
          window.Notification = new Proxy(Real, {
            construct(target, args, newTarget) {
              const record = { title: args[0], options: args[1], instance: null };
              window.__notifications.push(record);
              record.instance = Reflect.construct(target, args, newTarget);
              return record.instance;
            },
          });
          const createOscillator = AudioContext.prototype.createOscillator;
          AudioContext.prototype.createOscillator = function (...args) {
            window.__oscillators += 1;
            return createOscillator.apply(this, args);
          };
        });
      },
    ),
  );

  test(
    "a session idle over 7 days with nothing in progress sits in a collapsed Archived section, and search still finds it",
    withBoard("board-archive", async (page) => {
      await sessionsRegion(page).getByText("timeline-run").waitFor();
      const names = await activeNames(page);
      assert.ok(!names.includes("dusty-archive"), `not in the main list: ${names}`);
      assert.ok(names.includes("old-import"), "three days idle is not archived");
      const toggle = sessionsRegion(page).getByRole("button", { name: /Archived \(1\)/ });
      assert.equal(await toggle.getAttribute("aria-expanded"), "false");
      const archived = sessionsRegion(page).getByRole("list", { name: "Archived sessions" });
      assert.equal(await archived.count(), 0);

      await toggle.click();
      await archived.getByText("dusty-archive").waitFor();
      await toggle.click();
      await archived.waitFor({ state: "detached" });

      await page.getByLabel("Search sessions").fill("cobwebs");
      await archived.getByText("dusty-archive").waitFor();
      assert.deepEqual(await activeNames(page), []);
      await archived.getByRole("button", { name: /dusty-archive/ }).click();
      await page.getByRole("heading", { name: "dusty-archive", level: 2 }).waitFor();
    }),
  );

  test(
    "search is fuzzy across names, task descriptions and project paths, best match first",
    withBoard("board-search", async (page) => {
      const searchBox = page.getByLabel("Search sessions");
      await sessionsRegion(page).getByText("timeline-run").waitFor();
      /** `expected` in rank order; `anyOrder` for equally good matches (their order is recency). */
      const expectNames = async (query, expected, anyOrder = false) => {
        await searchBox.fill(query);
        const normal = (list) => JSON.stringify(anyOrder ? [...list].sort() : list);
        await eventually(() => activeNames(page), (list) => normal(list) === normal(expected), `search "${query}"`);
      };
      await expectNames("timelne-run", ["timeline-run"]);
      await expectNames("pelican", ["timeline-run"]);
      await expectNames("/srv/feeds", ["feed-alpha", "feed-beta"], true);
      await expectNames("feed-alpha", ["feed-alpha"]);
      await expectNames("srv charts", ["timeline-run", "old-import"], true);
      await expectNames("nothing-like-this-anywhere", []);
      await sessionsRegion(page).getByText("No session matches.").waitFor();
    }),
  );

  test(
    "Delete all tasks asks with the count, deletes in dependency order (as the core reports it) and empties the session",
    withBoard("board-bulk-delete", async (page) => {
      await openSession(page, "bulk-clean");
      await column(page, "Pending").locator(".task-card").nth(1).waitFor();
      await page.getByRole("button", { name: "Delete all tasks" }).click();
      const confirm = page.getByRole("group", { name: "Confirm deleting all tasks" });
      assert.match((await confirm.textContent()) ?? "", /Delete all 4 tasks of bulk-clean\?.*tasks that others wait for go last\./);
      await confirm.getByRole("button", { name: "Delete 4 tasks" }).click();
      const done = page.getByRole("status").filter({ hasText: "Deleted" });
      await done.waitFor();
      assert.equal((await done.textContent())?.trim(), "Deleted 4 tasks: #3, #2, #1, #4.");
      assert.deepEqual((await readdir(path.join(tasksDir, BULK))).filter((name) => name.endsWith(".json")), []);
      await page.waitForFunction(() => document.querySelectorAll(".task-card").length === 0);
      await page.waitForFunction(
        (id) => document.querySelector(`[data-session-id="${id}"]`)?.textContent?.includes("0 pending") === true,
        BULK,
      );
    }),
  );

  test(
    "keyboard: ? shows the shortcuts, D deletes the open task with the guard, Esc closes",
    withBoard("board-shortcuts", async (page) => {
      await openSession(page, "keys-session");
      await column(page, "Pending").locator(".task-card").nth(1).waitFor();

      await page.keyboard.press("?");
      const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
      await help.waitFor();
      assert.match((await help.textContent()) ?? "", /\?.*D.*Delete the open task.*Esc/);
      await page.keyboard.press("Escape");
      await help.waitFor({ state: "detached" });

      // D on a task another waits for: the confirmation, then the core's guard.
      await page.locator('.task-card[data-task-id="1"]').click();
      await detail(page).getByText("#1", { exact: true }).waitFor();
      await page.keyboard.press("d");
      const confirmButton = detail(page).getByRole("button", { name: "Delete task", exact: true });
      await confirmButton.waitFor();
      assert.equal(await confirmButton.evaluate((button) => button === document.activeElement), true);
      await page.keyboard.press("Enter");
      const alert = detail(page).getByRole("alert");
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? "", /Cannot delete task that blocks other tasks \(blocked: 2\)/);
      assert.ok(existsSync(path.join(tasksDir, KEYS, "1.json")));

      // D on a free task deletes it.
      await page.locator('.task-card[data-task-id="3"]').click();
      await detail(page).getByText("#3", { exact: true }).waitFor();
      await page.keyboard.press("D");
      await confirmButton.waitFor();
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.querySelector('.task-card[data-task-id="3"]') === null);
      assert.equal(existsSync(path.join(tasksDir, KEYS, "3.json")), false);

      // Typing in the note box is not a shortcut; Esc outside it closes the panel.
      await page.locator('.task-card[data-task-id="2"]').click();
      await detail(page).getByLabel("Add a note").fill("");
      await detail(page).getByLabel("Add a note").press("d");
      assert.equal(await detail(page).getByRole("group", { name: "Confirm delete" }).count(), 0);
      assert.equal(await detail(page).getByLabel("Add a note").inputValue(), "d");
      await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
      await page.keyboard.press("Escape");
      await detail(page).waitFor({ state: "detached" });
    }),
  );
});
