// End to end: the Template Hub on the Flows page against the real flow-server binary, driven in
// headless Chromium: the starters on an empty data dir, one-click install into the editor, and
// an update over the user's edit that asks before it overwrites.
//
//   cd frontend && npm ci && npm run build
//   cargo build --workspace
//   cd tests/browser && npm ci
//   FLOW_SERVER_BIN=$PWD/../../target/debug/flow-server node --test hub.e2e.test.mjs

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { UI_TIMEOUT_MS, annotateFailure, freshDirs, startBrowserSession } from "./harness.mjs";

/** @type {Awaited<ReturnType<typeof startBrowserSession>> | undefined} */
let session;
let studioDir = "";

before(async () => {
  const dirs = await freshDirs("flow-hub-e2e-");
  studioDir = dirs.env.FLOW_STUDIO_DIR;
  session = await startBrowserSession(dirs.root, dirs.env);
});

after(async () => {
  await session?.close();
});

/** Runs a test body with a signed-in page; on failure, screenshots it into artifacts/. */
function withPage(name, body) {
  return async () => {
    assert.ok(session, "the browser did not start (see the before() hook's error)");
    const context = await session.browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(session.loginUrl);
      await page.getByRole("navigation", { name: "Main" }).waitFor();
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      await body(page);
    } catch (error) {
      await annotateFailure(error, name, context.pages(), session.server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  };
}

async function openFlows(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Flows" }).click();
  await page.getByRole("heading", { name: "Flows", level: 1 }).waitFor();
}

const STARTER = "Run tests and report failures";
const SLUG = "run-tests-and-report-failures";

async function savedFlow() {
  return JSON.parse(await readFile(path.join(studioDir, "templates", `${SLUG}.flow.json`), "utf8"));
}

describe("Template Hub against flow-server", () => {
  test(
    "an empty data dir offers the starters; one installs into the editor; an update over an edit asks first",
    withPage("template-hub", async (page) => {
      await openFlows(page);
      await page.getByText("No flows yet.").waitFor();
      const starters = page.getByRole("list", { name: "Starter templates" });
      await starters.waitFor();
      const names = await starters.getByRole("heading", { level: 3 }).allTextContents();
      assert.ok(names.length >= 6, `starters: ${names.join(", ")}`);
      for (const name of [STARTER, "Nightly backup with a destructive-action gate", "Triage new board tasks"]) {
        assert.ok(names.includes(name), `${name} missing from ${names.join(", ")}`);
      }
      const card = starters.getByRole("listitem").filter({ has: page.getByRole("heading", { name: STARTER }) });
      await card.getByText("4 nodes · 3 edges").waitFor();
      await card.getByText("Not installed").waitFor();

      // One click: installed and open in the editor with its nodes.
      await card.getByRole("button", { name: "Install" }).click();
      await page.getByRole("heading", { name: STARTER, level: 1 }).waitFor();
      assert.equal(new URL(page.url()).pathname, `/flows/${SLUG}`);
      for (const id of ["tests", "passed", "report", "notify"]) await page.getByTestId(`node-${id}`).waitFor();

      // Edit and save.
      await page.getByTestId("node-passed").click();
      await page.getByLabel("Message", { exact: true }).fill("Green across the board.");
      await page.getByRole("toolbar", { name: "Editor" }).getByRole("button", { name: "Save" }).click();
      await page.getByText("rev 2").waitFor();

      // The Hub tab sees the edit; updating asks, and Cancel leaves the edit alone.
      await openFlows(page);
      await page.getByRole("tab", { name: "Hub" }).click();
      const hub = page.getByRole("list", { name: "Templates" });
      const installed = hub.getByRole("listitem").filter({ has: page.getByRole("heading", { name: STARTER }) });
      await installed.getByText("Edited locally").waitFor();
      await installed.getByRole("button", { name: "Reset to hub version" }).click();
      const dialog = page.getByRole("dialog", { name: `Overwrite your edits to “${STARTER}”?` });
      await dialog.waitFor();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "detached" });
      assert.equal((await savedFlow()).nodes.find((/** @type {{id: string}} */ n) => n.id === "passed").data.message, "Green across the board.");

      // Confirmed: the hub's version is back, as a new revision.
      await installed.getByRole("button", { name: "Reset to hub version" }).click();
      await dialog.getByRole("button", { name: "Overwrite" }).click();
      await installed.getByText("Installed v1.0.0").waitFor();
      assert.equal((await savedFlow()).nodes.find((/** @type {{id: string}} */ n) => n.id === "passed").data.message, "All tests passed.");
      const revisions = await page.evaluate(async ([base, slug]) => {
        const response = await fetch(`${base}/api/invoke/flow_revisions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ slug }),
        });
        return (await response.json()).map((/** @type {{revision: number}} */ r) => r.revision);
      }, [session?.origin ?? "", SLUG]);
      assert.deepEqual(revisions, [3, 2, 1]);

      // Open goes to the editor at the new revision.
      await installed.getByRole("link", { name: "Open" }).click();
      await page.getByRole("heading", { name: STARTER, level: 1 }).waitFor();
      await page.getByText("rev 3").waitFor();
    }),
  );
});
