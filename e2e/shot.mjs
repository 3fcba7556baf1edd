// Ad-hoc: log in to a running Hubert and save screenshots. Usage: node shot.mjs URL
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
const base = process.argv[2] || "http://127.0.0.1:8080";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hubert-shot-"));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  viewport: { width: 1440, height: 900 },
});
const page = ctx.pages()[0] || await ctx.newPage();
page.on("console", (m) => console.log("console:", m.type(), m.text()));
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto(base + "/login");
await page.fill('input[name="email"]', "demo@zonnestroom.nl");
await page.fill('input[name="password"]', "hubert-demo");
await page.click('button[type="submit"]');
await page.waitForSelector(".conv");
await page.screenshot({ path: "../target/e2e/inbox.png" });
await page.click(".conv >> nth=0");
await page.waitForSelector(".thread .msg");
await page.fill(".composer textarea", "Dag! Ik kijk het direct voor je na.");
await page.screenshot({ path: "../target/e2e/conversation.png" });
await ctx.close();
