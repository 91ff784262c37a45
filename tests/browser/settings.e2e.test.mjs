// End to end: the real flow-server binary, serving the built UI, driven in headless Chromium.
//
//   cd frontend && npm ci && npm run build
//   cargo build -p flow-server
//   cd tests/browser && npm ci
//   FLOW_SERVER_BIN=$PWD/../../target/debug/flow-server [PUBLIC_DIR=$PWD/../../frontend/dist] npm test
//
// Chromium is the system one (CHROMIUM_PATH, default /usr/bin/chromium); playwright-core never
// downloads a browser.

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
  const dirs = await freshDirs("flow-browser-e2e-");
  session = await startBrowserSession(dirs.root, dirs.env);
  ({ server, browser, loginUrl, origin } = session);
});

after(async () => {
  await session?.close();
});

function requireBrowser() {
  assert.ok(browser, "the browser did not start (see the before() hook's error)");
  return browser;
}

/**
 * Runs a test body with the contexts it opens; on failure, screenshots every open page into
 * artifacts/ (and adds the server's output to the error) before rethrowing.
 */
function withBrowser(name, body) {
  return async () => {
    /** @type {import("playwright-core").BrowserContext[]} */
    const contexts = [];
    const newContext = async () => {
      const context = await requireBrowser().newContext();
      context.setDefaultTimeout(UI_TIMEOUT_MS);
      contexts.push(context);
      return context;
    };
    try {
      await body(newContext);
    } catch (error) {
      await annotateFailure(error, name, contexts.flatMap((context) => context.pages()), server);
      throw error;
    } finally {
      for (const context of contexts) await context.close().catch(() => {});
    }
  };
}

/** A browser context holding a session cookie, obtained the way a user does: the login URL. */
async function signedIn(newContext) {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(loginUrl);
  await page.getByRole("navigation", { name: "Main" }).waitFor();
  await page.close();
  return context;
}

async function openSettings(context) {
  const page = await context.newPage();
  await page.goto(`${origin}/settings`);
  await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
  await waitLive(page);
  return page;
}

/** Waits until the page's event stream is open, so it can see what other tabs change. */
async function waitLive(page) {
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
}

function themeOf(page) {
  return page.evaluate(() => ({
    name: document.documentElement.dataset.theme ?? null,
    background: getComputedStyle(document.documentElement).getPropertyValue("--background").trim().toLowerCase(),
  }));
}

describe("Flow UI against flow-server", () => {
  test(
    "the login URL signs in, strips the token from the address bar and shows the shell",
    withBrowser("login", async (newContext) => {
      const context = await newContext();
      const page = await context.newPage();
      await page.goto(loginUrl);

      await page.getByRole("navigation", { name: "Main" }).waitFor();
      await page.getByRole("heading", { name: "Board", level: 1 }).waitFor();
      const url = new URL(page.url());
      assert.equal(url.searchParams.has("token"), false, `token still in the address bar: ${page.url()}`);
      assert.equal(url.pathname, "/board");
      assert.equal(url.origin, origin);

      for (const section of ["Board", "Flows", "Runs", "Models", "Nodes", "Settings"]) {
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: section, exact: true }).waitFor();
      }
      await page.getByRole("banner").getByText("Server", { exact: true }).waitFor();
      await waitLive(page);

      const cookies = await context.cookies(origin);
      assert.ok(cookies.length > 0, "no session cookie was set");
      assert.ok(cookies.every((cookie) => cookie.httpOnly), "the session cookie must be HttpOnly");
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      const token = new URL(loginUrl).searchParams.get("token") ?? "";
      assert.ok(token !== "" && !stored.includes(token), "the token must not be stored in web storage");

      // Deep links load through the server's SPA fallback.
      await page.goto(`${origin}/runs`);
      await page.getByRole("heading", { name: "Runs", level: 1 }).waitFor();
    }),
  );

  test(
    "choosing a theme in one tab re-themes the other tab live, and it persists",
    withBrowser("theme", async (newContext) => {
      const context = await signedIn(newContext);
      const first = await openSettings(context);
      const second = await openSettings(context);

      await second.waitForFunction(() => document.documentElement.dataset.theme !== undefined);
      assert.notEqual((await themeOf(second)).name, "aurora", "a fresh data dir should not start on aurora");

      const aurora = first.getByRole("button", { name: "Aurora", exact: true });
      await aurora.click();
      await first.waitForFunction(
        () => document.querySelector('button[aria-pressed="true"]')?.textContent?.includes("Aurora") === true,
      );

      await second.waitForFunction(() => document.documentElement.dataset.theme === "aurora", null, {
        timeout: UI_TIMEOUT_MS,
      });
      assert.deepEqual(await themeOf(second), { name: "aurora", background: "#0f0a2a" });
      assert.equal(
        await second.getByRole("button", { name: "Aurora", exact: true }).getAttribute("aria-pressed"),
        "true",
      );

      await second.reload();
      await second.waitForFunction(() => document.documentElement.dataset.theme === "aurora");
      assert.deepEqual(await themeOf(second), { name: "aurora", background: "#0f0a2a" });
    }),
  );

  test(
    "a saved setting shows in the other tab live; an out-of-range value is refused with the server's message",
    withBrowser("settings-form", async (newContext) => {
      const context = await signedIn(newContext);
      const first = await openSettings(context);
      const second = await openSettings(context);
      const field = "#setting-max_parallel_nodes";
      const form = (page) => page.getByRole("form", { name: "Settings" });

      const input = first.locator(field);
      const current = Number(await input.inputValue());
      const min = Number(await input.getAttribute("min"));
      const max = Number(await input.getAttribute("max"));
      assert.ok(Number.isFinite(current) && Number.isFinite(min) && Number.isFinite(max), "number field with min/max");
      const next = current < max ? current + 1 : current - 1;
      assert.ok(next >= min && next <= max);

      await input.fill(String(next));
      await form(first).getByRole("button", { name: "Save", exact: true }).click();
      await form(first).getByText("Saved", { exact: true }).waitFor();
      await second.waitForFunction(
        ([selector, value]) => document.querySelector(selector)?.value === value,
        [field, String(next)],
      );

      const tooBig = String(max + 1000);
      await input.fill(tooBig);
      await form(first).getByRole("button", { name: "Save", exact: true }).click();
      const alert = form(first).getByRole("alert");
      await alert.waitFor();
      const message = (await alert.textContent()) ?? "";
      assert.match(message, /^Not saved: \S/, `expected the server's validation message, got ${JSON.stringify(message)}`);
      assert.equal(await form(first).getByText("Saved", { exact: true }).count(), 0);
      assert.equal(await input.inputValue(), tooBig, "the user's edit must survive a refused save");

      // Nothing was stored: the other tab still shows the last good value, before and after a reload.
      await second.waitForTimeout(500);
      assert.equal(await second.locator(field).inputValue(), String(next));
      await second.reload();
      await waitLive(second);
      await second.locator(field).waitFor();
      assert.equal(await second.locator(field).inputValue(), String(next));
    }),
  );

  test(
    "without a session the app shows the sign-in screen, and the token signs in",
    withBrowser("sign-in", async (newContext) => {
      const context = await newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/settings`);
      await page.getByRole("heading", { name: "Sign in to Flow" }).waitFor();
      assert.equal(await page.getByRole("navigation", { name: "Main" }).count(), 0);

      const tokenInput = page.getByLabel("Access token");
      await tokenInput.fill("not-the-token");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("alert").waitFor();
      assert.equal(await page.getByRole("navigation", { name: "Main" }).count(), 0);

      const token = new URL(loginUrl).searchParams.get("token");
      assert.ok(token);
      await tokenInput.fill(token);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
      assert.equal(new URL(page.url()).pathname, "/settings");
    }),
  );
});
