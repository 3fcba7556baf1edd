// Shared by the browser journeys: start a real `hubert demo` (fake platforms
// in-process, no simulated traffic) on a free loopback port with a fresh database,
// sign webhooks like the platforms do, and launch Debian's Chromium.
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "../..");
export const shots = path.join(root, "target/e2e");
fs.mkdirSync(shots, { recursive: true });
export const bin = process.env.HUBERT_BIN || path.join(root, "target/release/hubert");
export const WA_SECRET = "demo-meta-app-secret";
export const PHONE_NUMBER_ID = "209876543210987";
export const PASSWORD = "hubert-demo";

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"],
  });
}

/// Starts a process and resolves with the lines it printed once `ready` matches them.
function startProcess(args, env, ready) {
  const child = spawn(bin, args, { env: { ...process.env, HUBERT_LOG: "warn", ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start within 60 s`)), 60000);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk.toString();
      if (ready(out)) { clearTimeout(timer); resolve(out); }
    });
    child.on("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return { child, started };
}

/// A demo on a free port. Returns { child, base, dbUrl, wallboard, clock }.
export async function startDemo({ clockControl = false, dir } = {}) {
  assert.ok(fs.existsSync(bin), `hubert binary not found at ${bin} (build it first)`);
  dir = dir || fs.mkdtempSync(path.join(os.tmpdir(), "hubert-e2e-"));
  const dbUrl = `sqlite:${dir}/demo.db`;
  const args = ["demo", "--listen", "127.0.0.1:0", "--interval", "36000"];
  if (clockControl) args.push("--clock-control", "127.0.0.1:0");
  const { child, started } = startProcess(args, { HUBERT_DEMO_DATABASE_URL: dbUrl }, (out) =>
    /Wallboard \(tv\): \S+/.test(out) && (!clockControl || /Klokbediening[^:]*: \S+/.test(out)));
  const out = await started;
  return {
    child,
    dir,
    dbUrl,
    base: out.match(/http:\/\/127\.0\.0\.1:\d+/)[0],
    wallboard: out.match(/Wallboard \(tv\): (\S+)/)[1],
    clock: clockControl ? out.match(/Klokbediening[^:]*: (\S+)/)[1] : null,
  };
}

/// `hubert serve` on a given address and database (for restart journeys).
export async function startServe(listen, dbUrl) {
  const child = spawn(bin, ["serve", "--listen", listen, "--database-url", dbUrl], { env: { ...process.env, HUBERT_LOG: "warn" }, stdio: ["ignore", "inherit", "inherit"] });
  const base = `http://${listen}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(base + "/healthz")).ok) return { child, base }; } catch (_) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("serve did not answer /healthz");
}

export function stop(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.once("exit", resolve);
    child.kill("SIGINT");
    setTimeout(() => child.kill("SIGKILL"), 10000).unref();
  });
}

/// An admin API token, made with the CLI against the demo's database.
export function adminToken(dbUrl) {
  const out = execFileSync(bin, ["admin", "--database-url", dbUrl, "create-token", "--name", "e2e", "--role", "admin"], { encoding: "utf8" });
  return out.trim().split(/\s+/).pop();
}

export async function api(base, token, method, pathname, body) {
  const res = await fetch(base + pathname, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// Every Content-Security-Policy violation a page reports (the console says so); each test
// file ends by checking this stayed empty, so our pages work under the strict CSP.
export const cspViolations = [];
export function watchCsp(page) {
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return page;
}

export async function login(browser, base, email, viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: "nl-NL" });
  const page = watchCsp(await context.newPage());
  page.on("pageerror", (e) => { throw e; });
  await page.goto(base + "/login");
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  await page.waitForSelector(".conv");
  return { context, page };
}

// The raw bytes Meta would send, with non-ASCII escaped as \uXXXX, signed.
function metaJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

let seq = 0;
export async function customerWrites(webhookUrl, name, phone, text) {
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
  const res = await fetch(webhookUrl, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": signature }, body });
  assert.equal(res.status, 200, "webhook accepted");
}
