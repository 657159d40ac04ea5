/**
 * Resumable uploads from the listing page in real headless Chromium: a
 * network cut in the middle of a 64 MiB upload, and a page reload that
 * offers to resume the same file. Sanitizers are off as in every browser
 * test (puppeteer keeps its pipes open across awaits).
 * @module
 */
import { createHash } from "node:crypto";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { startStatefulServer, tempDir } from "./helpers/server.ts";
import { testBytes } from "./helpers/tus_client.ts";
import { BROWSER_TEST, openPage, type Page } from "./browser/browser.ts";
import * as scripts from "./browser/page_scripts.js";

const SIZE = 64 * 1024 * 1024;

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Waits until the item's progress bar is past `fraction` of the file. */
async function progressPast(page: Page, item: string, fraction: number): Promise<void> {
  const selector = JSON.stringify(`${item} progress`);
  await page.waitForFunction(
    `(() => { const p = document.querySelector(${selector}); return p && p.value > ${fraction} * p.max; })()`,
    { timeout: 60_000 },
  );
}

async function pick(page: Page, path: string): Promise<void> {
  const input = await page.$("#upload-input");
  assertOk(input);
  await input.uploadFile(path);
}

Deno.test({
  name: "initUpload() finishes a 64 MiB upload after the network drops and comes back",
  ...BROWSER_TEST,
  async fn() {
    const data = testBytes(SIZE);
    await using files = await tempDir({ "big.bin": data });
    await using dir = await tempDir();
    await using server = await startStatefulServer(dir.path, { upload: true });
    await using tab = await openPage(server.href("/"));
    const { page, errors } = tab;
    await page.waitForSelector("#upload:not([hidden])");
    // About 8 s for the whole file: time to cut it in the middle.
    await page.emulateNetworkConditions({ download: -1, upload: 8 * 1024 * 1024, latency: 0 });
    await pick(page, `${files.path}/big.bin`);
    const item = 'li.upload-item[data-name="big.bin"]';
    await progressPast(page, item, 0.3);
    await page.setOfflineMode(true);
    await page.waitForSelector(`${item}[data-state="retrying"]`, { timeout: 30_000 });
    assertOk(
      await page.evaluate(scripts.textMatches, `${item} .upload-status`, "^Connection lost"),
    );
    await page.setOfflineMode(false);
    await page.waitForSelector(`${item}[data-state="done"]`, { timeout: 120_000 });
    const stored = await Deno.readFile(`${dir.path}/big.bin`);
    assertEquals(stored.length, SIZE);
    assertEquals(sha256(stored), sha256(data));
    const names = [...Deno.readDirSync(dir.path)].map((e) => e.name);
    assertEquals(names, ["big.bin"]);
    // The dropped PATCH shows up as one failed request in the console; nothing else.
    assertOk(
      errors.every((e) => /ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)),
      errors.join("\n"),
    );
  },
});

Deno.test({
  name: "initUpload() pauses and, after a reload, offers to resume the same file",
  ...BROWSER_TEST,
  async fn() {
    const data = testBytes(16 * 1024 * 1024);
    await using files = await tempDir({ "again.bin": data });
    await using dir = await tempDir();
    await using server = await startStatefulServer(dir.path, { upload: true });
    await using tab = await openPage(server.href("/"));
    const { page } = tab;
    await page.waitForSelector("#upload:not([hidden])");
    await page.emulateNetworkConditions({ download: -1, upload: 4 * 1024 * 1024, latency: 0 });
    await pick(page, `${files.path}/again.bin`);
    const item = 'li.upload-item[data-name="again.bin"]';
    await progressPast(page, item, 0.25);
    await page.click(`${item} button.upload-pause`);
    await page.waitForSelector(`${item}[data-state="paused"]`);
    assertOk(await page.evaluate(scripts.textMatches, `${item} .upload-status`, "^Paused at"));

    await page.reload();
    await page.waitForSelector("#upload:not([hidden])");
    await page.emulateNetworkConditions({ download: -1, upload: -1, latency: 0 });
    await pick(page, `${files.path}/again.bin`);
    await page.waitForSelector(`${item}[data-state="resumable"]`);
    assertOk(
      await page.evaluate(
        scripts.textMatches,
        `${item} .upload-status`,
        String.raw`^An earlier upload of this file stopped at [1-9][\d.]* MiB of 16 MiB\.$`,
      ),
    );
    const [offered] = await page.evaluate(scripts.progressOf, `${item} progress`);
    assertOk(offered > 0, "the server kept what arrived before the pause");
    await page.click(`${item} button.upload-resume`);
    await page.waitForSelector(`${item}[data-state="done"]`, { timeout: 60_000 });
    assertEquals(sha256(await Deno.readFile(`${dir.path}/again.bin`)), sha256(data));
  },
});
