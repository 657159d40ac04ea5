/**
 * Headless Chromium for the UI tests, driven by `puppeteer-core` with the
 * system browser (the driver never downloads one).
 * @module
 */
// @ts-types="./puppeteer_types.d.ts"
import puppeteer from "puppeteer-core";
import type { Browser, Page } from "./puppeteer_types.d.ts";

export type { Page };

/** Where Debian (and CI, via `apt-get install -y chromium`) puts Chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

function missingReason(): string | null {
  try {
    Deno.statSync(CHROMIUM_PATH);
    return null;
  } catch {
    return `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
  }
}

/** Why the browser tests cannot run here, or `null` when they can. */
export const CHROMIUM_MISSING: string | null = missingReason();
if (CHROMIUM_MISSING) console.warn(`Skipping browser tests: ${CHROMIUM_MISSING}`);

/**
 * The `Deno.test` options of every browser test: skipped without Chromium,
 * and the op and resource sanitizers off, since puppeteer keeps its browser
 * process, pipes and WebSocket to Chromium open across awaits in ways the
 * sanitizers report as leaks even though `await using` closes them all.
 */
export const BROWSER_TEST = {
  ignore: CHROMIUM_MISSING !== null,
  sanitizeOps: false,
  sanitizeResources: false,
} as const;

/** A browser with its own profile; `await using` closes it and removes the profile. */
export type TestBrowser = Browser & AsyncDisposable;

/**
 * Launches headless Chromium with a fresh profile and no background traffic.
 *
 * @example
 * ```ts
 * await using browser = await launchBrowser();
 * const page = await browser.newPage();
 * ```
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await Deno.makeTempDir({ prefix: "sluice-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--autoplay-policy=no-user-gesture-required",
      "--mute-audio",
      `--user-data-dir=${profile}`,
    ],
    defaultViewport: { width: 1100, height: 760 },
    protocolTimeout: 30_000,
  });
  return Object.assign(browser, {
    async [Symbol.asyncDispose]() {
      await browser.close();
      await Deno.remove(profile, { recursive: true });
    },
  });
}

/** A fresh browser with one page and the errors it reports; `await using` closes the browser. */
export interface OpenPage extends AsyncDisposable {
  browser: TestBrowser;
  page: Page;
  /** What `collectErrors()` records for `page`. */
  errors: string[];
}

/**
 * Launches a browser (see `launchBrowser()`), opens a page that records its
 * errors (see `collectErrors()`) and, given `url`, loads it.
 *
 * @example
 * ```ts
 * await using tab = await openPage(server.href("/"));
 * const { page, errors } = tab;
 * ```
 */
export async function openPage(url?: string): Promise<OpenPage> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    if (url !== undefined) await page.goto(url);
    return { browser, page, errors, [Symbol.asyncDispose]: () => browser[Symbol.asyncDispose]() };
  } catch (error) {
    await browser[Symbol.asyncDispose]();
    throw error;
  }
}

/** Console errors, failed requests and uncaught exceptions a page reports. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${String(error)}`));
  page.on("requestfailed", (request) => {
    // Media and EventSource requests are cancelled on purpose when closed.
    const reason = request.failure()?.errorText ?? "";
    if (reason !== "net::ERR_ABORTED") errors.push(`requestfailed: ${request.url()} ${reason}`);
  });
  return errors;
}

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

/** Saves a full-page screenshot as `tests/artifacts/<name>.png` for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const path = new URL(`${name}.png`, ARTIFACTS).pathname;
  await page.screenshot({ path, fullPage: true });
}

/** One answer to a media request: its status and where its `Content-Range` starts (-1: none). */
export interface MediaResponse {
  status: number;
  start: number;
}

/** Records every response the page gets for `pathname`, in order. */
export function recordResponses(page: Page, pathname: string): MediaResponse[] {
  const seen: MediaResponse[] = [];
  page.on("response", (res) => {
    if (new URL(res.url()).pathname !== pathname) return;
    const range = /^bytes (\d+)-/.exec(res.headers()["content-range"] ?? "");
    seen.push({ status: res.status(), start: range ? Number(range[1]) : -1 });
  });
  return seen;
}
