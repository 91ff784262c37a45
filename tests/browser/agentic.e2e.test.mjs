// End to end: the agentic generator from the editor against the real flow-server binary and the
// real test model (FLOW_TEST_MODEL, installed into the data directory before the server starts),
// in headless Chromium: Run on a flow with an agentic node streams a generation, the review shows
// the proposal as a canvas, DSL and diff with its Checks, nothing is saved before Accept, and
// after Accept the flow is a new revision whose agentic node monitors and whose Run runs it.
//
//   FLOW_SERVER_BIN=$PWD/../../target/debug/flow-server \
//   FLOW_TEST_MODEL=$HOME/.cache/flow-ci/models/gemma-3-270m-q4_k_m.gguf npm test

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { UI_TIMEOUT_MS, annotateFailure, freshDirs, invoke as invokeIn, startBrowserSession } from "./harness.mjs";

const MODEL_FILE = "gemma-3-270m-q4_k_m.gguf";
/** A generation on two busy cores takes tens of seconds. */
const GENERATION_TIMEOUT_MS = 180_000;

let server;
let browser;
let session;
let loginUrl = "";
let origin = "";
let workspace = "";

before(async () => {
  const model = process.env.FLOW_TEST_MODEL;
  if (model === undefined || !existsSync(model)) {
    throw new Error(`FLOW_TEST_MODEL must point at ${MODEL_FILE}; ./dev test sets it.`);
  }
  const dirs = await freshDirs("flow-agentic-e2e-");
  const llms = path.join(dirs.env.FLOW_STUDIO_DIR, "llms");
  await mkdir(llms, { recursive: true });
  await link(model, path.join(llms, MODEL_FILE)).catch(() => copyFile(model, path.join(llms, MODEL_FILE)));
  workspace = path.join(dirs.root, "project");
  await mkdir(path.join(workspace, "src"), { recursive: true });
  await writeFile(path.join(workspace, "package.json"), JSON.stringify({ name: "demo", scripts: { build: "tsc", test: "node test.js" } }));
  await writeFile(path.join(workspace, "src", "index.ts"), "export const x = 1;\n");
  await writeFile(path.join(workspace, "README.md"), "# Demo\n");
  session = await startBrowserSession(dirs.root, dirs.env);
  ({ server, browser, loginUrl, origin } = session);
});

after(async () => {
  await session?.close();
});

const invoke = (page, cmd, args) => invokeIn(page, origin, cmd, args);

describe("agentic flows against flow-server", () => {
  test("Run generates a flow for review; Accept applies it as a new revision whose agentic node monitors", async () => {
    assert.ok(browser, "the browser did not start (see the before() hook's error)");
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(loginUrl);
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      const dsl = `flow "Agentic demo"\nagent[agentic: "Agent"] {\n  request: "Run the tests, then build the project."\n  workspace: ${JSON.stringify(workspace)}\n}\n`;
      const graph = await invoke(page, "dsl_parse", { source: dsl });
      const { slug } = await invoke(page, "flow_save", { input: { graph } });

      await page.goto(`${origin}/flows/${slug}`);
      await page.getByRole("heading", { name: "Agentic demo", level: 1 }).waitFor();
      await page.getByRole("toolbar", { name: "Editor" }).getByRole("button", { name: "Run", exact: true }).click();

      // The generation streams into the dialog, then the proposal replaces it.
      const dialog = page.getByRole("dialog", { name: "Review the generated flow" });
      await dialog.waitFor();
      await dialog.getByRole("heading", { name: "Review the generated flow" }).waitFor({ timeout: GENERATION_TIMEOUT_MS });
      const proposals = await invoke(page, "agentic_proposals", { slug });
      assert.equal(proposals.length, 1);
      const proposal = proposals[0];
      assert.equal(proposal.status, "pending");
      assert.ok(proposal.generated.nodes.length >= 1);
      // Nothing is saved while the review is open.
      assert.equal((await invoke(page, "flow_get", { slug })).revision, 1);

      // The canvas preview shows the generated steps, the DSL tab the proposed text, the diff its lines.
      const first = proposal.generated.nodes[0].id;
      await dialog.locator(`[data-testid="node-${first}"]`).waitFor();
      await dialog.getByRole("tab", { name: "DSL" }).click();
      await dialog.getByLabel("Proposed DSL").filter({ hasText: 'flow "Agentic demo"' }).waitFor();
      await dialog.getByRole("tab", { name: /^Diff/ }).click();
      await dialog.getByLabel("Changes to the flow").filter({ hasText: `+ ${first}[` }).waitFor();
      await dialog.getByRole("region", { name: "Checks" }).waitFor();
      await dialog.getByText(proposal.workspace.root, { exact: true }).waitFor();

      // Later closes the review; the proposal stays pending and the editor offers it again.
      await dialog.getByRole("button", { name: "Later" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByRole("status", { name: "Generated flow waiting" }).getByRole("button", { name: "Review it" }).click();
      await dialog.getByRole("heading", { name: "Review the generated flow" }).waitFor();

      await dialog.getByRole("button", { name: "Accept and apply" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByTitle("Saved revision").filter({ hasText: "rev 2" }).waitFor();
      const saved = await invoke(page, "flow_get", { slug });
      assert.equal(saved.revision, 2);
      assert.equal(saved.graph.nodes.find((n) => n.id === "agent").data.mode, "monitor");
      assert.ok(saved.graph.nodes.some((n) => n.id === first));
      await page.locator(`[data-testid="node-${first}"]`).waitFor();
      await page.locator('[data-testid="node-agent"]').getByText("monitoring").waitFor();

      // Now Run runs the generated steps (the monitor is left out); stop it once it is going.
      // The first step has started when its card shows a status, or, for a destructive step
      // (the model may propose deleting a file), when the run asks before it.
      const toolbar = page.getByRole("toolbar", { name: "Editor" });
      await toolbar.getByRole("button", { name: "Run", exact: true }).click();
      const started = page.locator(`[data-testid="node-${first}"]:is([data-status="running"], [data-status="succeeded"], [data-status="failed"])`);
      const asks = page.getByRole("dialog", { name: "Approve a destructive step?" }).filter({ hasText: `waiting before node ${first},` });
      await started.or(asks).first().waitFor();
      const active = await invoke(page, "runs_active", {});
      for (const run of active) await invoke(page, "run_cancel", { executionId: run.executionId });
      const audit = await invoke(page, "agentic_audit", { query: { flowSlug: slug } });
      assert.deepEqual(
        audit.map((r) => r.kind).reverse(),
        ["ai_invocation", "ai_review_required", "ai_review_resolved", "agent_edit_applied"],
      );
    } catch (error) {
      await annotateFailure(error, "agentic-generate-accept", context.pages(), server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  });
  test("a failed step is intercepted: the fix is reviewed and applied, the next one rejected; the run page reverts it; an autonomous run shows its budget", async () => {
    assert.ok(browser, "the browser did not start (see the before() hook's error)");
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await context.newPage();
      await page.goto(loginUrl);
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      // The read fails in the flow's empty run workspace, so no fix can make it pass.
      const dsl = `flow "Monitored demo"\nagent[agentic: "Agent"] {\n  request: "Read the notes and log them.", mode: "monitor"\n}\nread[action: "Read notes"] {\n  adapter: "fs", actionId: "read-file", path: "notes.txt"\n}\nlog[utility: "Log"] {\n  actionId: "log", message: "{{read.content}}"\n}\nread.pass --> log\n`;
      const graph = await invoke(page, "dsl_parse", { source: dsl });
      const { slug } = await invoke(page, "flow_save", { input: { graph } });
      await page.goto(`${origin}/flows/${slug}`);
      await page.getByRole("heading", { name: "Monitored demo", level: 1 }).waitFor();
      const toolbar = page.getByRole("toolbar", { name: "Editor" });
      await toolbar.getByRole("button", { name: "Run", exact: true }).click();

      // The run holds; the dialog shows the failure, then the planned fix as a diff.
      const dialog = page.getByRole("dialog", { name: "A step failed" });
      await dialog.waitFor();
      await dialog.getByText("notes.txt").first().waitFor();
      await page.getByRole("status", { name: /Run intercepted/ }).waitFor();
      const accept = dialog.getByRole("button", { name: "Accept fix & apply" });
      await dialog.getByLabel("The fix").waitFor({ timeout: GENERATION_TIMEOUT_MS });
      assert.equal((await invoke(page, "flow_get", { slug })).revision, 1, "nothing saved before Accept");
      await accept.click();
      await page.getByTitle("Saved revision").filter({ hasText: "rev 2" }).waitFor();

      // The fixed step runs again and fails again: a second interception, rejected: the run stops.
      // Newest first: the accepted one is the oldest.
      const first = (await invoke(page, "agentic_interceptions", { query: { flowSlug: slug } })).at(-1);
      assert.equal(first.status, "fixed");
      const deadline = Date.now() + GENERATION_TIMEOUT_MS;
      while (!(await invoke(page, "agentic_interceptions", { query: { flowSlug: slug } })).some((i) => i.id !== first.id)) {
        assert.ok(Date.now() < deadline, "the re-run step was not intercepted again");
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await dialog.getByRole("button", { name: "Reject (stop)" }).click();
      await page.getByRole("status", { name: "Run cancelled" }).waitFor({ timeout: GENERATION_TIMEOUT_MS });
      await dialog.waitFor({ state: "detached" });

      // The run page lists both interceptions and the audit log; the applied fix reverts.
      const [run] = await invoke(page, "runs_list", { filter: { flow: slug, limit: 1 } });
      await page.goto(`${origin}/runs/${run.executionId}`);
      const table = page.getByRole("table", { name: "Monitor interceptions" });
      await table.getByRole("row").filter({ hasText: "Rejected, run stopped" }).waitFor();
      await page.getByRole("table", { name: "AI audit log" }).getByText("agent_edit_applied").first().waitFor();
      await table.getByRole("button", { name: "Revert fix" }).click();
      await table.getByRole("row").filter({ hasText: "Fixed, then reverted" }).waitFor();
      assert.equal((await invoke(page, "flow_get", { slug })).revision, 3);

      // Autonomous: no dialog; fixes apply by themselves until the one-fix budget ends the run,
      // or sooner when the model's fix changes nothing (the 270M model tends to repeat the step).
      await invoke(page, "settings_update", { patch: { max_agentic_iterations: 1 } });
      await page.goto(`${origin}/flows/${slug}`);
      await page.getByRole("heading", { name: "Monitored demo", level: 1 }).waitFor();
      await toolbar.getByRole("button", { name: "Run autonomously" }).click();
      const budget = page.getByRole("region", { name: "Autonomous budget" });
      await budget.getByRole("meter", { name: "Fixes used" }).waitFor({ timeout: GENERATION_TIMEOUT_MS });
      await budget.getByRole("status").filter({ hasText: /max_agentic_iterations|no usable fix/ }).waitFor({ timeout: GENERATION_TIMEOUT_MS });
      assert.equal(await page.getByRole("dialog", { name: "A step failed" }).count(), 0);
      await page.getByRole("status", { name: "Run failed" }).waitFor();
    } catch (error) {
      await annotateFailure(error, "agentic-intercept", context.pages(), server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  });
});
