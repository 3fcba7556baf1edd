// Browser journeys through the inbox: Debian's Chromium driven by playwright-core,
// against a real `hubert demo` (fake platforms in-process, no simulated traffic) on a
// free loopback port with a fresh database. Screenshots go to target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const shots = path.join(root, "target/e2e");
fs.mkdirSync(shots, { recursive: true });
const bin = process.env.HUBERT_BIN || path.join(root, "target/release/hubert");
const WA_SECRET = "demo-meta-app-secret";
const PHONE_NUMBER_ID = "209876543210987";
const PASSWORD = "hubert-demo";

let server;
let base;
let browser;
let waWebhook;

function launchArgs() {
  return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"];
}

before(async () => {
  assert.ok(fs.existsSync(bin), `hubert binary not found at ${bin} (build it first)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hubert-e2e-"));
  server = spawn(bin, ["demo", "--listen", "127.0.0.1:0", "--interval", "36000"], {
    env: { ...process.env, HUBERT_DEMO_DATABASE_URL: `sqlite:${dir}/demo.db`, HUBERT_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("demo did not start within 60 s")), 60000);
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk.toString();
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    server.on("exit", (code) => reject(new Error(`demo exited with ${code}`)));
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: launchArgs() });
  const ctx = await login("demo@zonnestroom.nl");
  const profiles = await (await ctx.page.request.get(base + "/api/v1/profiles")).json();
  const wa = profiles.items.find((p) => p.platform === "whatsapp");
  waWebhook = wa.webhook_url;
  await ctx.context.close();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill("SIGINT");
});

async function login(email) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "nl-NL" });
  const page = await context.newPage();
  page.on("pageerror", (e) => { throw e; });
  await page.goto(base + "/login");
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForSelector(".conv");
  return { context, page };
}

// The raw bytes Meta would send, with non-ASCII escaped as \uXXXX, and their signature.
function metaJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

let seq = 0;
async function customerWrites(name, phone, text) {
  seq += 1;
  const body = metaJson({
    object: "whatsapp_business_account",
    entry: [{ id: "104857600012345", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "31201234567", phone_number_id: PHONE_NUMBER_ID },
      contacts: [{ profile: { name }, wa_id: phone }],
      messages: [{ from: phone, id: `wamid.e2e.${Date.now()}.${seq}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }],
    } }] }],
  });
  const signature = "sha256=" + crypto.createHmac("sha256", WA_SECRET).update(body).digest("hex");
  const res = await fetch(waWebhook, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body });
  assert.equal(res.status, 200, "webhook accepted");
}

test("the inbox shows waiting conversations with green, orange and red badges", async () => {
  const { context, page } = await login("demo@zonnestroom.nl");
  await page.waitForSelector(".conv .badge.sla-outside");
  assert.ok(await page.locator(".conv .badge.sla-inside").count() >= 1, "a green badge");
  assert.ok(await page.locator(".conv .badge.sla-at_risk").count() >= 1, "an orange badge");
  assert.ok(await page.locator(".conv .badge.sla-outside").count() >= 1, "a red badge");
  assert.match(await page.locator(".conv .badge.sla-outside").first().textContent(), /te laat/);
  assert.match(await page.locator("#today").textContent(), /Vandaag binnen de norm/);
  await page.screenshot({ path: path.join(shots, "inbox-badges.png") });
  await context.close();
});

test("a webhook message appears live, and a reply moves through its delivery ticks", async () => {
  const { context, page } = await login("demo@zonnestroom.nl");
  const started = Date.now();
  await customerWrites("Eva Live", "31699000001", "Mijn meter geeft een foutcode E42, wat nu?");
  await page.locator(".conv", { hasText: "Eva Live" }).waitFor({ timeout: 2000 });
  assert.ok(Date.now() - started < 2000, "visible within two seconds, without reload");
  await page.locator(".conv", { hasText: "Eva Live" }).click();
  await page.waitForSelector(".thread .msg-in");
  await page.fill(".composer textarea", "Dag Eva, foutcode E42 betekent dat de meter opnieuw opstart. Over tien minuten is hij weer bereikbaar.");
  assert.match(await page.locator("#count").textContent(), /^\d+\/4096$/);
  await page.click(".composer .send");
  await page.locator(".msg-out .delivery").first().waitFor();
  await page.locator(".msg-out .delivery-read").waitFor({ timeout: 8000 });
  await page.locator(".conv-header .badge.sla-met").waitFor({ timeout: 5000 });
  assert.match(await page.locator(".conv-header .badge").textContent(), /beantwoord in/);
  await page.screenshot({ path: path.join(shots, "reply-read.png") });
  await context.close();
});

test("two agents see each other and the second is warned before answering twice", async () => {
  await customerWrites("Tom Twee", "31699000002", "Kan iemand mij helpen met mijn verhuizing?");
  const a = await login("demo@zonnestroom.nl");
  const b = await login("daan@zonnestroom.nl");
  for (const s of [a, b]) {
    await s.page.locator(".conv", { hasText: "Tom Twee" }).click();
    await s.page.waitForSelector(".thread .msg-in");
  }
  await a.page.locator("#presence", { hasText: "Daan" }).waitFor({ timeout: 15000 });
  await b.page.fill(".composer textarea", "Hoi Tom, ik help je graag");
  await a.page.locator("#presence .typing", { hasText: "Daan" }).waitFor({ timeout: 5000 });
  await a.page.screenshot({ path: path.join(shots, "presence.png") });
  await a.page.fill(".composer textarea", "Dag Tom, stuur je je nieuwe adres en de verhuisdatum?");
  await a.page.click(".composer .send");
  await a.page.locator(".msg-out").waitFor();
  // Daan's draft is kept; sending it now must warn instead of answering a second time.
  await b.page.waitForTimeout(500);
  const draft = b.page.locator(".composer textarea");
  if (!(await draft.inputValue())) await draft.fill("Hoi Tom, ik help je graag");
  await b.page.click(".composer .send");
  await b.page.locator("#collision:not([hidden])").waitFor({ timeout: 5000 });
  await b.page.screenshot({ path: path.join(shots, "already-answered.png") });
  assert.equal(await b.page.locator(".msg-out").count(), 1, "still exactly one answer");
  await a.context.close();
  await b.context.close();
});

test("customer text is shown as text, never run as markup", async () => {
  const { context, page } = await login("demo@zonnestroom.nl");
  await customerWrites("<img src=x onerror=window.__xss=1>", "31699000003", "<script>window.__xss=2</script><b>vet</b>");
  const item = page.locator(".conv", { hasText: "<img src=x onerror" });
  await item.waitFor({ timeout: 3000 });
  await item.click();
  await page.locator(".thread .msg-in", { hasText: "<script>window.__xss=2</script>" }).waitFor();
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  assert.equal(await page.locator(".thread b").count(), 0);
  await page.screenshot({ path: path.join(shots, "escaping.png") });
  await context.close();
});
