// End to end: running a flow from the editor against the real flow-server binary, with a real
// shell node, driven in headless Chromium: live node statuses, the run log, and the Runs page.
//
//   cd frontend && npm ci && npm run build
//   cargo build -p flow-server
//   cd tests/browser && npm ci
//   FLOW_SERVER_BIN=$PWD/../../target/debug/flow-server [PUBLIC_DIR=$PWD/../../frontend/dist] npm test

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { UI_TIMEOUT_MS, annotateFailure, freshDirs, startBrowserSession } from "./harness.mjs";

/** @type {Awaited<ReturnType<typeof startServer>> | undefined} */
let server;
/** @type {import("playwright-core").Browser | undefined} */
let browser;
/** @type {Awaited<ReturnType<typeof startBrowserSession>> | undefined} */
let session;
let loginUrl = "";
let origin = "";

before(async () => {
  const dirs = await freshDirs("flow-runs-e2e-");
  session = await startBrowserSession(dirs.root, dirs.env);
  ({ server, browser, loginUrl, origin } = session);
});

after(async () => {
  await session?.close();
});

// The build fails on purpose; its fail edge reports, its pass edge (ship) never runs.
const PIPELINE = `flow "Failing build" v1
build[action: "Build"] {
  adapter: "shell"
  actionId: "run-command"
  command: "echo compiling; sleep 1; echo 'error: linker exploded' >&2; exit 3"
}
report[utility: "Report"] {
  actionId: "log"
  message: "build failed: {{build.stderr}}"
}
ship[utility: "Ship"] {
  actionId: "log"
  message: "shipping"
}
build.fail --> report
build.pass --> ship
`;

/** Saves a flow through the invoke bridge, as the page's own session. */
async function saveFlow(page, dsl) {
  return page.evaluate(async ({ base, source }) => {
    const call = async (cmd, args) => {
      const response = await fetch(`${base}/api/invoke/${cmd}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(args),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(`${cmd}: ${JSON.stringify(body)}`);
      return body;
    };
    const graph = await call("dsl_parse", { source });
    return (await call("flow_save", { input: { graph } })).slug;
  }, { base: origin, source: dsl });
}

describe("running flows against flow-server", () => {
  test("a failing shell node routes to its fail branch, live on the canvas and in the run log, then in Runs", async () => {
    assert.ok(browser, "the browser did not start (see the before() hook's error)");
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(loginUrl);
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      const slug = await saveFlow(page, PIPELINE);

      await page.goto(`${origin}/flows/${slug}`);
      await page.getByRole("heading", { name: "Failing build", level: 1 }).waitFor();
      const toolbar = page.getByRole("toolbar", { name: "Editor" });
      await toolbar.getByRole("button", { name: "Run", exact: true }).click();

      // Live: the build is seen running (it sleeps 1 s) before it fails.
      await page.locator('[data-testid="node-build"][data-status="running"]').waitFor();
      await page.locator('[data-testid="node-build"][data-status="failed"]').waitFor();
      await page.locator('[data-testid="node-report"][data-status="succeeded"]').waitFor();
      await page.locator('[data-testid="node-ship"][data-status="skipped"]').waitFor();

      const log = page.getByRole("log", { name: "Run log" });
      await log.getByText("compiling").first().waitFor();
      await log.getByText("error: linker exploded").first().waitFor();
      await toolbar.getByRole("status").filter({ hasText: /succeeded/i }).waitFor();

      // The run is in the history, handled failure and all.
      await page.goto(`${origin}/runs`);
      await page.getByRole("heading", { name: "Runs", level: 1 }).waitFor();
      const row = page.getByRole("table", { name: "Runs" }).getByRole("row").filter({ hasText: "Failing build" });
      await row.waitFor();
      await row.getByLabel("1 failed").waitFor();
      await row.getByLabel("1 skipped").waitFor();
      await row.getByRole("link", { name: "Failing build" }).click();
      await page.getByRole("heading", { name: "Failing build", level: 1 }).waitFor();
      // Filed under the saved flow it was run from, not as an unsaved graph.
      await page.getByRole("link", { name: slug }).first().waitFor();
      const steps = page.getByRole("region", { name: "Steps" });
      await steps.getByText("exited with code 3").waitFor();
      await steps.getByRole("button", { name: "build", exact: true }).click();
      await page.getByText("error: linker exploded").first().waitFor();
    } catch (error) {
      await annotateFailure(error, "run-failing-build", context.pages(), server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  });

  test("a schedule set in the editor previews its next runs, saves, and shows in the Schedules view", async () => {
    assert.ok(browser, "the browser did not start (see the before() hook's error)");
    const context = await browser.newContext({ timezoneId: "Europe/Berlin" });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(loginUrl);
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      const slug = await saveFlow(page, 'flow "Nightly report"\nsay[utility: "Say"] { actionId: "log", message: "night" }\n');
      await page.goto(`${origin}/flows/${slug}`);
      await page.getByRole("heading", { name: "Nightly report", level: 1 }).waitFor();
      await page.getByRole("toolbar", { name: "Editor" }).getByRole("button", { name: "Schedule" }).click();

      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Repeat").selectOption("cron");
      await dialog.getByLabel("Cron expression").fill("not a cron");
      await dialog.getByRole("alert").first().waitFor();
      await dialog.getByLabel("Cron expression").fill("30 2 * * *");
      const next = dialog.getByRole("list", { name: "Next runs" });
      await next.getByRole("listitem").nth(2).waitFor();
      assert.ok((await next.getByRole("listitem").count()) >= 3);
      await dialog.getByRole("button", { name: "Save" }).click();
      await dialog.waitFor({ state: "hidden" });

      await page.goto(`${origin}/runs?view=schedules`);
      const table = page.getByRole("table", { name: "Schedules" });
      const row = table.getByRole("row").filter({ hasText: "Nightly report" });
      await row.waitFor();
      await row.getByText("30 2 * * *").first().waitFor();
      const enabled = row.getByRole("switch", { name: "Nightly report schedule enabled" });
      assert.equal(await enabled.isChecked(), true);
      await enabled.click();
      // Off on the server, not just in the page: a reload shows it off.
      await page.waitForFunction(async () => {
        const response = await fetch("/api/invoke/schedules_list", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        const list = await response.json();
        return Array.isArray(list) && list.length === 1 && list[0].spec.enabled === false;
      });
      await page.reload();
      await page.getByRole("table", { name: "Schedules" }).getByRole("switch", { name: "Nightly report schedule enabled" }).waitFor();
      assert.equal(await page.getByRole("switch", { name: "Nightly report schedule enabled" }).isChecked(), false);
    } catch (error) {
      await annotateFailure(error, "schedule-dialog", context.pages(), server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  });
});
