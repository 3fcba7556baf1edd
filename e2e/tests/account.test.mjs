// Browser journey: a user turns on two-factor sign-in on "Mijn account" with a code
// computed from the secret the page shows (as an authenticator app would), keeps the
// recovery codes, and signs in again with the password and then a recovery code.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import path from "node:path";
import { startDemo, stop, launchBrowser, login, watchCsp, shots, cspViolations, PASSWORD } from "./support.mjs";

let demo;
let browser;

before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  await stop(demo && demo.child);
});

/// RFC 6238: HMAC-SHA1 over the 30-second step, 6 digits.
function totp(base32) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of base32.replace(/\s/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const o = mac[19] & 0xf;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

test("two-factor sign-in: turned on with a computed code, then a recovery code signs in", async () => {
  const { context, page } = await login(browser, demo.base, "demo@zonnestroom.nl");
  await page.goto(demo.base + "/account");
  await page.getByRole("button", { name: "Tweestapsverificatie instellen" }).click();
  await page.waitForSelector("#totp-secret");
  assert.equal(await page.locator(".qr svg").count(), 1, "a QR code to scan");
  const secret = await page.locator("#totp-secret").textContent();
  await page.screenshot({ path: path.join(shots, "account-two-factor.png") });
  await page.fill('input[name="code"]', totp(secret));
  await page.getByRole("button", { name: "Verder" }).click();
  await page.waitForSelector("ol.recovery-codes");
  const codes = await page.locator("ol.recovery-codes code").allTextContents();
  assert.equal(codes.length, 10);
  await context.close();

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "nl-NL" });
  const p = watchCsp(await phone.newPage());
  await p.goto(demo.base + "/login");
  await p.fill('input[name="email"]', "demo@zonnestroom.nl");
  await p.fill('input[name="password"]', PASSWORD);
  await p.click('button[type="submit"]');
  await p.waitForURL(/\/login\/code$/);
  assert.match(await p.locator("h2").textContent(), /Voer je code in/);
  await p.screenshot({ path: path.join(shots, "login-code-phone.png") });
  await p.fill('input[name="code"]', codes[0]);
  await p.click('button[type="submit"]');
  await p.waitForSelector(".conv");
  await phone.close();
});

test("the account pages work under the strict Content Security Policy", () => {
  assert.deepEqual(cspViolations, []);
});
