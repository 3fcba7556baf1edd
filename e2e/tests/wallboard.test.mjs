// Browser journeys for the office TV: the wallboard at 1920×1080 and 3840×2160 in
// Debian's Chromium, against a real `hubert demo` with its test clock control. Live
// updates within two seconds, colours that change as the clock moves, recovery after a
// server restart, revocation. Screenshots go to target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemo, startServe, stop, launchBrowser, adminToken, api, customerWrites, shots, watchCsp, cspViolations } from "./support.mjs";

let demo;
let server;
let browser;
let page;
let token;
let wa;

before(async () => {
  demo = await startDemo({ clockControl: true });
  server = demo.child;
  token = adminToken(demo.dbUrl);
  const profiles = await api(demo.base, token, "GET", "/api/v1/profiles");
  wa = profiles.body.items.find((p) => p.platform === "whatsapp");
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: "nl-NL" });
  page = watchCsp(await context.newPage());
  page.on("pageerror", (e) => { throw e; });
  await page.goto(demo.wallboard);
  await page.waitForSelector(".wb-card");
});

after(async () => {
  if (browser) await browser.close();
  await stop(server);
});

const card = () => page.locator(`.wb-card[data-profile="${wa.id}"]`);
const advance = (ms) => fetch(`${demo.clock}/advance?ms=${ms}`, { method: "POST" });

test("a webhook message appears on the wallboard within two seconds, masked", async () => {
  const started = Date.now();
  await customerWrites(wa.webhook_url, "Bastiaan Wallboardtest", "31699100001", "Storing in Zeist sinds vanochtend, bel me op 06-98765432");
  await page.locator(".wb-feed-item", { hasText: "Storing in Zeist sinds vanochtend" }).waitFor({ timeout: 2000 });
  assert.ok(Date.now() - started < 2000);
  const html = await page.content();
  assert.ok(!html.includes("Bastiaan") && !html.includes("Wallboardtest"), "no full name in privacy mode");
  assert.ok(!html.includes("98765432"), "no phone number in privacy mode");
  await page.screenshot({ path: path.join(shots, "wallboard-1920x1080.png") });
});

test("the queue card changes colour as the clock moves: green, orange, red", async () => {
  // Nobody waits on WhatsApp any more…
  const open = await api(demo.base, token, "GET", `/api/v1/conversations?status=open&profile=${wa.id}`);
  for (const c of open.body.items) await api(demo.base, token, "POST", `/api/v1/conversations/${c.id}/no-reply-needed`, {});
  await page.locator(`.wb-card[data-profile="${wa.id}"].wb-state-none`).waitFor({ timeout: 3000 });
  // …then one customer writes.
  await customerWrites(wa.webhook_url, "Carla Klok", "31699100002", "Wanneer wordt mijn slimme meter vervangen?");
  await page.locator(`.wb-card[data-profile="${wa.id}"].wb-state-inside`).waitFor({ timeout: 3000 });
  await page.screenshot({ path: path.join(shots, "wallboard-green.png") });
  await advance(12.5 * 60000);
  await page.locator(`.wb-card[data-profile="${wa.id}"].wb-state-at_risk`).waitFor({ timeout: 3000 });
  await page.screenshot({ path: path.join(shots, "wallboard-orange.png") });
  await advance(3 * 60000);
  await page.locator(`.wb-card[data-profile="${wa.id}"].wb-state-outside`).waitFor({ timeout: 3000 });
  assert.match(await card().locator(".wb-oldest-age").textContent(), /1[5-6] min/);
  await page.screenshot({ path: path.join(shots, "wallboard-red.png") });
});

test("at 3840×2160 everything fits without scrollbars", async () => {
  const context = await browser.newContext({ viewport: { width: 3840, height: 2160 }, locale: "nl-NL" });
  const big = watchCsp(await context.newPage());
  await big.goto(demo.wallboard);
  await big.waitForSelector(".wb-card");
  await big.waitForTimeout(500);
  const fits = await big.evaluate(() => document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth);
  assert.ok(fits, "no scrollbars");
  const fontPx = await big.evaluate(() => parseFloat(getComputedStyle(document.querySelector(".wb-big")).fontSize));
  assert.ok(fontPx > 200, `the queue number is huge on a 4K TV (${fontPx}px)`);
  await big.screenshot({ path: path.join(shots, "wallboard-3840x2160.png") });
  await context.close();
});

test("after a server restart the page recovers by itself", async () => {
  const listen = new URL(demo.base).host;
  await stop(server);
  await page.waitForTimeout(1500);
  const restarted = await startServe(listen, demo.dbUrl);
  server = restarted.child;
  await customerWrites(wa.webhook_url, "Dirk Herstart", "31699100003", "Is de storing in Houten al opgelost?");
  await page.locator(".wb-feed-item", { hasText: "Is de storing in Houten al opgelost?" }).waitFor({ timeout: 15000 });
  assert.match(await page.locator("#wb-updated").textContent(), /bijgewerkt \d s geleden/);
  assert.ok(await page.locator("#wb-stale").isHidden());
  await page.screenshot({ path: path.join(shots, "wallboard-after-restart.png") });
});

test("revoking the wallboard stops the page at once", async () => {
  const boards = await api(demo.base, token, "GET", "/api/v1/wallboards");
  const board = boards.body.items.find((b) => !b.revoked_at);
  const res = await api(demo.base, token, "DELETE", `/api/v1/wallboards/${board.id}`);
  assert.equal(res.status, 200);
  await page.locator("#wb-stale", { hasText: "ingetrokken" }).waitFor({ timeout: 5000 });
  assert.ok(await page.locator("#wb-main").isHidden());
  assert.equal((await fetch(demo.wallboard + "/state")).status, 404);
});

test("a rotating wallboard cycles through its layouts by itself", async () => {
  // Runs after the revocation test: make a fresh board through the API.
  const created = await api(demo.base, token, "POST", "/api/v1/wallboards", { name: "Gang", profile_ids: [], privacy: true, rotate_seconds: 5 });
  assert.equal(created.status, 201);
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const tv = watchCsp(await context.newPage());
  await tv.goto(created.body.url);
  await tv.locator('#wb-main[data-layout="numbers"]').waitFor({ timeout: 5000 });
  await tv.locator('#wb-main[data-layout="feed"]').waitFor({ timeout: 8000 });
  await tv.screenshot({ path: path.join(shots, "wallboard-rotation-feed.png") });
  await tv.locator('#wb-main[data-layout="love"]').waitFor({ timeout: 8000 });
  await tv.screenshot({ path: path.join(shots, "wallboard-rotation-love.png") });
  await context.close();
});

test("the wallboard works under the strict Content Security Policy", () => {
  assert.deepEqual(cspViolations, []);
});
