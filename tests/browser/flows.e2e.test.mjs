// End to end: the Flows page, the flow editor and the Node Hub against the real flow-server
// binary, driven in headless Chromium.
//
//   cd frontend && npm ci && npm run build
//   cargo build -p flow-server
//   cd tests/browser && npm ci
//   FLOW_SERVER_BIN=$PWD/../../target/debug/flow-server [PUBLIC_DIR=$PWD/../../frontend/dist] npm test

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { UI_TIMEOUT_MS, annotateFailure, freshDirs, startBrowserSession } from "./harness.mjs";

/** @type {Awaited<ReturnType<typeof startServer>> | undefined} */
let server;
let studioDir = "";
/** @type {import("playwright-core").Browser | undefined} */
let browser;
/** @type {Awaited<ReturnType<typeof startBrowserSession>> | undefined} */
let session;
let loginUrl = "";
let origin = "";

before(async () => {
  const dirs = await freshDirs("flow-flows-e2e-");
  studioDir = dirs.env.FLOW_STUDIO_DIR;
  session = await startBrowserSession(dirs.root, dirs.env);
  ({ server, browser, loginUrl, origin } = session);
});

after(async () => {
  await session?.close();
});

/** Runs a test body with a signed-in page; on failure, screenshots it into artifacts/. */
function withPage(name, body) {
  return async () => {
    assert.ok(browser, "the browser did not start (see the before() hook's error)");
    const context = await browser.newContext({ acceptDownloads: true });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(loginUrl);
      await page.getByRole("navigation", { name: "Main" }).waitFor();
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

async function openFlows(page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Flows" }).click();
  await page.getByRole("heading", { name: "Flows", level: 1 }).waitFor();
}

async function createFlow(page, name) {
  await openFlows(page);
  await page.getByRole("button", { name: "New flow" }).click();
  await page.getByLabel("Flow name").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name, level: 1 }).waitFor();
}

/** Selects a node on the canvas and fills one inspector field. */
async function setField(page, nodeId, label, value) {
  await page.getByTestId(`node-${nodeId}`).click();
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
}

const palette = (page) => page.getByRole("complementary", { name: "Node palette" });
const toolbar = (page) => page.getByRole("toolbar", { name: "Editor" });

describe("Flows and the flow editor against flow-server", () => {
  test(
    "a three-node flow built on the canvas, relabelled in the DSL view, survives save and reload",
    withPage("editor-round-trip", async (page) => {
      await createFlow(page, "Canvas flow");
      assert.equal(new URL(page.url()).pathname, "/flows/canvas-flow");

      await palette(page).getByRole("button", { name: "Run command" }).click();
      await palette(page).getByRole("button", { name: "Log", exact: true }).click();
      await palette(page).getByRole("button", { name: "Log", exact: true }).click();
      for (const id of ["run-command", "log", "log-2"]) await page.getByTestId(`node-${id}`).waitFor();

      // Drag from the outcome ports to the next nodes' inputs.
      await page.getByTestId("handle-run-command-pass").dragTo(page.getByTestId("handle-log-in"));
      await page.getByTestId("handle-log-fail").dragTo(page.getByTestId("handle-log-2-in"));

      // The inspector is generated from each entry's schema; filling required fields clears the errors.
      await setField(page, "run-command", "Command", "echo built");
      await setField(page, "log", "Message", "built ok");
      await setField(page, "log-2", "Message", "logging failed");
      await toolbar(page).getByLabel(/^0 errors/).waitFor();

      await page.getByRole("tab", { name: "DSL" }).click();
      const editor = page.locator(".cm-content");
      await editor.waitFor();
      await page.waitForFunction(() => document.querySelector(".cm-content")?.textContent?.includes("-->") ?? false);
      const dsl = await editor.evaluate((node) => {
        const lines = [...node.querySelectorAll(".cm-line")].map((line) => line.textContent ?? "");
        return lines.join("\n");
      });
      assert.match(dsl, /^flow "Canvas flow" v1\.0\.0/);
      assert.match(dsl, /run-command\.pass --> log/);
      assert.match(dsl, /log\.fail --> log-2/);
      assert.match(dsl, /log-2\[utility: "Log"\]/);

      // Edit the label as text: replace the whole document, as a user pasting would.
      await editor.click();
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.insertText(dsl.replace('log-2[utility: "Log"]', 'log-2[utility: "Tell the team"]'));
      await page.getByRole("tab", { name: "Canvas" }).click();
      await page.getByTestId("node-log-2").getByText("Tell the team").waitFor();

      await toolbar(page).getByRole("button", { name: "Save" }).click();
      await page.getByText("rev 2").waitFor();

      await page.reload();
      await page.getByRole("heading", { name: "Canvas flow", level: 1 }).waitFor();
      await page.getByTestId("node-log-2").getByText("Tell the team").waitFor();
      await page.getByText("rev 2").waitFor();

      // What the browser saved is what is on disk, JSON and DSL alike.
      const saved = JSON.parse(await readFile(path.join(studioDir, "templates", "canvas-flow.flow.json"), "utf8"));
      assert.deepEqual(
        saved.edges.map((/** @type {{source: string, target: string, outcome: string}} */ e) => `${e.source}.${e.outcome}->${e.target}`).sort(),
        ["log.fail->log-2", "run-command.pass->log"],
      );
      assert.equal(saved.nodes.find((/** @type {{id: string}} */ n) => n.id === "log-2").label, "Tell the team");
      assert.equal(saved.nodes.find((/** @type {{id: string}} */ n) => n.id === "run-command").data.command, "echo built");
      const text = await readFile(path.join(studioDir, "templates", "canvas-flow.flow"), "utf8");
      assert.match(text, /log-2\[utility: "Tell the team"\]/);
    }),
  );

  test(
    "a .flow file uploaded from the browser is imported, listed and downloads again as .flow.json",
    withPage("import-export", async (page) => {
      await openFlows(page);
      const source = [
        'flow "Uploaded pipeline" v3',
        'description "came from a file"',
        "",
        'fetch[action: "Fetch"] { adapter: "shell", actionId: "curl", args: "-s https://example.invalid" }',
        'report[utility: "Report"] { actionId: "log", message: "{{fetch.stdout}}" }',
        "fetch --> report",
        "",
      ].join("\n");
      await page.getByLabel("Import flows").setInputFiles({ name: "uploaded.flow", mimeType: "text/plain", buffer: Buffer.from(source) });
      const row = page.getByRole("row").filter({ hasText: "Uploaded pipeline" });
      await row.waitFor();
      await row.getByText("came from a file").waitFor();

      // A broken file is refused with the parser's line:column and nothing is created.
      await page.getByLabel("Import flows").setInputFiles({ name: "broken.flow", mimeType: "text/plain", buffer: Buffer.from('flow "Broken"\nx[action "no colon"]\n') });
      await page.getByText(/2:10/).waitFor();
      assert.equal(await page.getByRole("row").filter({ hasText: "Broken" }).count(), 0);

      await row.getByLabel("Export format for Uploaded pipeline").selectOption("json");
      const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("button", { name: "Export" }).click()]);
      assert.equal(download.suggestedFilename(), "uploaded-pipeline.flow.json");
      const downloaded = await download.path();
      const graph = JSON.parse(await readFile(downloaded, "utf8"));
      assert.equal(graph.name, "Uploaded pipeline");
      assert.equal(graph.version, "3");
      assert.deepEqual(
        graph.nodes.map((/** @type {{id: string}} */ n) => n.id),
        ["fetch", "report"],
      );
    }),
  );

  test(
    "uninstalling a node type in the Node Hub leaves its nodes as unsupported stubs until reinstalled",
    withPage("node-hub", async (page) => {
      const loaded = await page.evaluate(async (base) => {
        const response = await fetch(`${base}/api/invoke/dsl_parse`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ source: 'flow "Sleepy"\nnap[utility: "Nap"] { actionId: "sleep", ms: 10 }\n' }),
        });
        const graph = await response.json();
        const saved = await fetch(`${base}/api/invoke/flow_save`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ input: { graph } }),
        });
        return saved.status;
      }, origin);
      assert.equal(loaded, 200);

      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Nodes" }).click();
      await page.getByRole("heading", { name: "Node Hub", level: 1 }).waitFor();
      const card = page.getByRole("listitem", { name: "Sleep", exact: true });
      await card.getByRole("button", { name: "Uninstall", exact: true }).click();
      await page.getByRole("dialog").getByRole("button", { name: /Uninstall/ }).click();
      await card.getByRole("button", { name: "Install", exact: true }).waitFor();

      await page.goto(`${origin}/flows/sleepy`);
      await page.getByTestId("node-nap").getByText("Unsupported").waitFor();

      await page.goto(`${origin}/nodes`);
      await page.getByRole("listitem", { name: "Sleep", exact: true }).getByRole("button", { name: "Install", exact: true }).click();
      await page.getByRole("listitem", { name: "Sleep", exact: true }).getByRole("button", { name: "Uninstall", exact: true }).waitFor();
      await page.goto(`${origin}/flows/sleepy`);
      await page.getByTestId("node-nap").waitFor();
      assert.equal(await page.getByTestId("node-nap").getByText("Unsupported").count(), 0);
    }),
  );
});
