// Browser journeys through the inbox: Debian's Chromium driven by playwright-core,
// against a real `hubert demo` (see support.mjs). Screenshots go to target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemo, stop, launchBrowser, login as loginAt, customerWrites as writeTo, shots, cspViolations } from "./support.mjs";

let demo;
let base;
let browser;
let waWebhook;

before(async () => {
  demo = await startDemo();
  base = demo.base;
  browser = await launchBrowser();
  const ctx = await login("demo@zonnestroom.nl");
  const profiles = await (await ctx.page.request.get(base + "/api/v1/profiles")).json();
  waWebhook = profiles.items.find((p) => p.platform === "whatsapp").webhook_url;
  await ctx.context.close();
});

after(async () => {
  if (browser) await browser.close();
  await stop(demo && demo.child);
});

const login = (email) => loginAt(browser, base, email);
const customerWrites = (name, phone, text) => writeTo(waWebhook, name, phone, text);

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

test("the composer points out a d/t mistake and the customer's form of address", async () => {
  await customerWrites("Ilse Informeel", "31699000004", "hoi! mijn meter doet raar, kun je ff kijken? 🙂");
  const { context, page } = await login("demo@zonnestroom.nl");
  await page.locator(".conv", { hasText: "Ilse Informeel" }).click();
  await page.waitForSelector(".thread .msg-in");
  await page.fill(".composer textarea", "Hoi Ilse, je aanvraag word vandaag verwerkt.");
  const grammar = page.locator(".text-check .issue-grammar", { hasText: "wordt" });
  await grammar.waitFor({ timeout: 5000 });
  assert.match(await page.locator(".text-check .text-register").textContent(), /informeel|je\/jij/i);
  await page.screenshot({ path: path.join(shots, "composer-hints.png") });
  await context.close();
});

test("the inbox works under the strict Content Security Policy", () => {
  assert.deepEqual(cspViolations, []);
});
