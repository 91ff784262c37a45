// End to end: connections and service nodes in headless Chromium against the real flow-server
// binary, with a REST API and an OAuth 2 provider written here on loopback. An API-key
// connection is added in Settings → Connections, a flow calls the API through a service node,
// the response shows in the run log with the echoed key masked; then an OAuth 2 account is
// connected through the browser: provider consent, the server's own callback, back to Settings.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";
import { UI_TIMEOUT_MS, annotateFailure, freshDirs, startBrowserSession } from "./harness.mjs";

const API_KEY = `key-${randomBytes(12).toString("hex")}`;

let session;
let server;
let browser;
let loginUrl = "";
let origin = "";
/** The loopback API and OAuth provider. */
let api;
let apiBase = "";
const grants = new Map();
const tokens = new Set();

function json(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readForm(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function startApi() {
  return new Promise((resolve) => {
    const http = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname === "/items") {
        if (req.headers["x-api-key"] !== API_KEY) return json(res, 401, { error: "bad key" });
        // Echoes the key, as some APIs echo request headers: Flow must mask it everywhere.
        return json(res, 200, { items: ["alpha", "beta"], echoedKey: req.headers["x-api-key"] });
      }
      if (url.pathname === "/authorize") {
        const challenge = url.searchParams.get("code_challenge");
        if (url.searchParams.get("response_type") !== "code" || url.searchParams.get("code_challenge_method") !== "S256" || challenge === null) {
          return json(res, 400, { error: "invalid_request" });
        }
        const code = randomBytes(8).toString("hex");
        grants.set(code, { challenge, redirect: url.searchParams.get("redirect_uri") });
        const back = new URL(url.searchParams.get("redirect_uri") ?? "");
        back.searchParams.set("code", code);
        back.searchParams.set("state", url.searchParams.get("state") ?? "");
        res.writeHead(302, { location: back.toString() });
        return res.end();
      }
      if (url.pathname === "/token" && req.method === "POST") {
        return void readForm(req).then((form) => {
          const grant = grants.get(form.get("code") ?? "");
          grants.delete(form.get("code") ?? "");
          const verifier = form.get("code_verifier") ?? "";
          const expected = createHash("sha256").update(verifier).digest("base64url");
          if (grant === undefined || grant.challenge !== expected || grant.redirect !== form.get("redirect_uri") || form.get("client_id") !== "flow-browser-test") {
            return json(res, 400, { error: "invalid_grant" });
          }
          const access = `at-${randomBytes(10).toString("hex")}`;
          tokens.add(access);
          json(res, 200, { access_token: access, token_type: "bearer", expires_in: 3600, refresh_token: `rt-${randomBytes(10).toString("hex")}`, scope: "read" });
        });
      }
      json(res, 404, { error: "not found" });
    });
    http.listen(0, "127.0.0.1", () => {
      const address = http.address();
      resolve({ http, base: `http://127.0.0.1:${address.port}` });
    });
  });
}

before(async () => {
  ({ http: api, base: apiBase } = await startApi());
  const dirs = await freshDirs("flow-services-e2e-");
  session = await startBrowserSession(dirs.root, dirs.env);
  ({ server, browser, loginUrl, origin } = session);
});

after(async () => {
  await session?.close();
  await new Promise((resolve) => api?.close(resolve));
});

async function invoke(page, cmd, args) {
  return page.evaluate(async ({ base, cmd, args }) => {
    const response = await fetch(`${base}/api/invoke/${cmd}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(args) });
    const body = await response.json();
    if (!response.ok) throw new Error(`${cmd}: ${JSON.stringify(body)}`);
    return body;
  }, { base: origin, cmd, args });
}

async function signedIn(context) {
  const page = await context.newPage();
  await page.goto(loginUrl);
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  return page;
}

describe("connections and service nodes", () => {
  test("an API-key connection added in Settings drives a service node; the run log shows the response with the key masked", async () => {
    assert.ok(browser, "the browser did not start (see the before() hook's error)");
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await signedIn(context);

      // Egress is off until a person turns it on.
      await page.goto(`${origin}/settings`);
      const form = page.getByRole("form", { name: "Settings" });
      await form.getByRole("switch", { name: "Service nodes" }).check();
      await form.getByRole("button", { name: "Save", exact: true }).click();
      await page.waitForFunction(async () => {
        const response = await fetch("/api/invoke/settings_get", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        return (await response.json()).allow_services === true;
      });

      await page.getByRole("navigation", { name: "Settings sections" }).getByRole("link", { name: "Connections" }).click();
      await page.getByRole("button", { name: "Add connection" }).click();
      const add = page.getByRole("form", { name: "New connection" });
      await add.getByLabel("Service").selectOption({ label: "HTTP" });
      await add.getByLabel("Name").fill("Loopback API");
      await add.getByLabel("Authentication").selectOption("apiKey");
      await add.getByLabel("Key name").fill("X-Api-Key");
      await add.getByLabel("API key", { exact: true }).fill(API_KEY);
      await add.getByRole("button", { name: "Save connection" }).click();
      const row = page.getByRole("listitem", { name: "Loopback API" });
      await row.getByText("Ready").waitFor();

      const graph = {
        name: "Call the loopback API",
        nodes: [
          { id: "fetch", type: "service", label: "Fetch items", data: { service: "http", operation: "request", method: "GET", url: `${apiBase}/items`, connection: "loopback-api" } },
          { id: "report", type: "utility", label: "Report", data: { actionId: "log", message: "first item: {{fetch.body.items.0}}" } },
        ],
        edges: [{ source: "fetch", target: "report", outcome: "pass" }],
      };
      const { slug } = await invoke(page, "flow_save", { input: { graph } });
      await page.goto(`${origin}/flows/${slug}`);
      await page.getByRole("heading", { name: "Call the loopback API", level: 1 }).waitFor();

      // The inspector offers the connection by name.
      await page.locator('[data-testid="node-fetch"]').click();
      const picker = page.getByLabel("Connection");
      await picker.waitFor();
      assert.equal(await picker.inputValue(), "loopback-api");
      assert.match(await picker.locator("option:checked").innerText(), /Loopback API/);

      await page.getByRole("toolbar", { name: "Editor" }).getByRole("button", { name: "Run", exact: true }).click();
      await page.locator('[data-testid="node-fetch"][data-status="succeeded"]').waitFor();
      await page.locator('[data-testid="node-report"][data-status="succeeded"]').waitFor();
      const log = page.getByRole("log", { name: "Run log" });
      await log.getByText(/GET http:\/\/127\.0\.0\.1:\d+\/items.*200/).first().waitFor();
      await log.getByText("first item: alpha").first().waitFor();

      const runs = await invoke(page, "runs_list", { filter: { limit: 5 } });
      const detail = await invoke(page, "run_get", { executionId: runs[0].executionId });
      const text = JSON.stringify(detail);
      assert.ok(text.includes("alpha"), "the response is in the run history");
      assert.ok(!text.includes(API_KEY), "the echoed key is masked in the run history");
      assert.ok(text.includes("***"));
      assert.ok(!(await page.content()).includes(API_KEY), "the key is nowhere on the page");
    } catch (error) {
      await annotateFailure(error, "service-api-key", context.pages(), server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  });

  test("an OAuth 2 account connects from the browser through the server's own callback", async () => {
    assert.ok(browser, "the browser did not start (see the before() hook's error)");
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      const page = await signedIn(context);
      await page.goto(`${origin}/settings/connections`);
      await page.getByRole("button", { name: "Add connection" }).click();
      const add = page.getByRole("form", { name: "New connection" });
      await add.getByLabel("Service").selectOption({ label: "HTTP" });
      await add.getByLabel("Name").fill("Loopback OAuth");
      await add.getByLabel("Authentication").selectOption("oauth2");
      // The form says which callback URL to register: this server's own.
      await add.getByText(`${origin}/oauth/callback`).waitFor();
      await add.getByLabel("Client id").fill("flow-browser-test");
      await add.getByLabel("Authorization URL").fill(`${apiBase}/authorize`);
      await add.getByLabel("Token URL").fill(`${apiBase}/token`);
      await add.getByRole("button", { name: "Save connection" }).click();
      const row = page.getByRole("listitem", { name: "Loopback OAuth" });
      await row.getByText("Not connected").waitFor();

      await row.getByRole("button", { name: "Connect account" }).click();
      // Provider → the server's /oauth/callback → back to Settings → Connections.
      await page.waitForURL(/\/settings\/connections\?connected=loopback-oauth/);
      await page.getByRole("status").filter({ hasText: "Connected “Loopback OAuth”" }).waitFor();
      await page.getByRole("listitem", { name: "Loopback OAuth" }).getByText("Ready").waitFor();
      assert.equal(tokens.size, 1, "one access token was issued");
      const listed = JSON.stringify(await invoke(page, "connections_list", {}));
      for (const token of tokens) assert.ok(!listed.includes(token), "no token reaches the page");

      // Disconnect drops the tokens; the connection and its settings stay.
      await page.getByRole("listitem", { name: "Loopback OAuth" }).getByRole("button", { name: "Disconnect" }).click();
      await page.getByRole("listitem", { name: "Loopback OAuth" }).getByText("Not connected").waitFor();
    } catch (error) {
      await annotateFailure(error, "service-oauth", context.pages(), server);
      throw error;
    } finally {
      await context.close().catch(() => {});
    }
  });
});
