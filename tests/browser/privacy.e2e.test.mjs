// End to end: Settings → Privacy in headless Chromium against the real flow-server binary. A
// rule is added, text is previewed with it before saving (its placeholder, the built-in ones
// and the replacements table), a broken pattern is reported inline by the preview and by the
// save, then the rule is saved and is still there after a reload.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { UI_TIMEOUT_MS, annotateFailure, freshDirs, startBrowserSession } from "./harness.mjs";

let session;
let server;
let browser;
let loginUrl = "";
let origin = "";

before(async () => {
  const dirs = await freshDirs("flow-browser-privacy-");
  session = await startBrowserSession(dirs.root, dirs.env);
  ({ server, browser, loginUrl, origin } = session);
});

after(async () => {
  await session?.close();
});

function withBrowser(name, body) {
  return async () => {
    assert.ok(browser, "the browser did not start (see the before() hook's error)");
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      await body(context);
    } catch (error) {
      await annotateFailure(error, name, context.pages(), server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  };
}

async function openSettings(context) {
  const page = await context.newPage();
  await page.goto(loginUrl);
  await page.getByRole("navigation", { name: "Main" }).waitFor();
  await page.goto(`${origin}/settings`);
  await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  return page;
}

const TEXT = "load ds_sales_eu from db-01.corp as alice@acme.io, password=hunter2; ds_sales_eu again";
const SANITIZED = "load [DATASET_NAME_1] from [HOSTNAME_1] as [EMAIL_1], password=[SECRET_1]; [DATASET_NAME_1] again";

describe("Settings → Privacy", () => {
  test(
    "a new rule previews before saving, a broken pattern is reported inline, and the saved rule survives a reload",
    withBrowser("privacy-rules", async (context) => {
      const page = await openSettings(context);
      const form = page.getByRole("form", { name: "Settings" });
      const privacy = form.getByRole("group", { name: "Privacy", exact: true });
      await privacy.getByText("No rules of your own", { exact: false }).waitFor();

      await privacy.getByRole("button", { name: "Add rule" }).click();
      await privacy.getByLabel("Rule name, rule 1").fill("datasets");
      const pattern = privacy.getByLabel("Pattern, datasets");
      await pattern.fill(String.raw`\bds_[a-z0-9_]+`);
      await privacy.getByLabel("Placeholder, datasets").fill("DATASET_NAME");

      // The preview uses the rule as typed, unsaved.
      const preview = privacy.getByRole("region", { name: "Preview" });
      await preview.getByLabel("Text to preview", { exact: false }).fill(TEXT);
      await preview.getByRole("button", { name: "Preview", exact: true }).click();
      const sanitized = preview.getByLabel("Sanitized text");
      await sanitized.waitFor();
      assert.equal(await sanitized.textContent(), SANITIZED);
      const table = preview.getByRole("table", { name: "Replacements" });
      const rows = await table.locator("tbody tr").evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
      );
      assert.deepEqual(rows, [
        ["[DATASET_NAME_1]", "DATASET_NAME", "ds_sales_eu"],
        ["[HOSTNAME_1]", "HOSTNAME", "db-01.corp"],
        ["[EMAIL_1]", "EMAIL", "alice@acme.io"],
        ["[SECRET_1]", "SECRET", "hunter2"],
      ]);

      // A pattern only the core can judge: the preview says why, next to the rules.
      await pattern.fill("ds_(");
      await preview.getByRole("button", { name: "Preview", exact: true }).click();
      const previewError = preview.getByRole("alert");
      await previewError.waitFor();
      assert.equal(
        await previewError.textContent(),
        "privacy rule `datasets`: pattern is not a valid regular expression: unclosed group",
      );
      // Saving it is refused with the core's message, and nothing is stored.
      await form.getByRole("button", { name: "Save", exact: true }).click();
      const saveError = form.getByText(/^Not saved: /);
      await saveError.waitFor();
      assert.match(
        (await saveError.textContent()) ?? "",
        /^Not saved: setting `privacy_rules`: rule `datasets`: pattern is not a valid regular expression/,
      );

      // A rule with its own problem is marked on its row before anything is sent.
      await privacy.getByLabel("Placeholder, datasets").fill("dataset");
      await privacy.getByText("Use an uppercase letter, then uppercase letters, digits or _.").waitFor();
      await privacy.getByLabel("Placeholder, datasets").fill("DATASET_NAME");

      await pattern.fill(String.raw`\bds_[a-z0-9_]+`);
      await form.getByRole("button", { name: "Save", exact: true }).click();
      await form.getByText("Saved", { exact: true }).waitFor();

      await page.reload();
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      const name = page.getByLabel("Rule name, datasets");
      await name.waitFor();
      assert.equal(await name.inputValue(), "datasets");
      assert.equal(await page.getByLabel("Pattern, datasets").inputValue(), String.raw`\bds_[a-z0-9_]+`);
      assert.equal(await page.getByLabel("Placeholder, datasets").inputValue(), "DATASET_NAME");

      // After the reload the saved rule is what the preview uses.
      const again = page.getByRole("region", { name: "Preview" });
      await again.getByLabel("Text to preview", { exact: false }).fill("ds_hr on 10.0.0.7");
      await again.getByRole("button", { name: "Preview", exact: true }).click();
      await again.getByLabel("Sanitized text").waitFor();
      assert.equal(await again.getByLabel("Sanitized text").textContent(), "[DATASET_NAME_1] on [IP_ADDRESS_1]");
    }),
  );
});
