/**
 * Share links in real headless Chromium against the real server: the share
 * dialog (QR code read back with a real decoder, link copied), the "Shared
 * links" page, and the drop-box page on a phone-sized viewport.
 *
 * As in ui_browser_test.ts, the op and resource sanitizers are off:
 * puppeteer keeps pipes and sockets open across awaits.
 * @module
 */
import jsqrModule, { type QRCode } from "jsqr";
// @ts-types="@types/pngjs"
import { PNG } from "pngjs";
import { Buffer } from "node:buffer";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { startStatefulServer, tempDir, type TestServer } from "./helpers/server.ts";
import {
  BROWSER_TEST,
  CHROMIUM_MISSING,
  openPage,
  recordResponses,
  screenshot,
} from "./browser/browser.ts";
import { FFMPEG, makeVideo } from "./browser/media_fixture.ts";
import * as pageScripts from "./browser/page_scripts.js";
import * as scripts from "./browser/share_scripts.js";

/** jsQR is CommonJS: Deno's default import is its `module.exports`, whose `default` decodes. */
const jsQR = (jsqrModule as unknown as {
  default: (data: Uint8ClampedArray, width: number, height: number) => QRCode | null;
}).default;

const ARTIFACTS = new URL("./artifacts/", import.meta.url);

/** Reads the QR code in a PNG image, or `null` when there is none. */
function readQr(png: Uint8Array): string | null {
  const image = PNG.sync.read(Buffer.from(png));
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data ?? null;
}

async function makeShare(server: TestServer, body: Record<string, unknown>) {
  const res = await fetch(server.href("/_/api/shares"), {
    method: "POST",
    body: JSON.stringify(body),
  });
  assertEquals(res.status, 201);
  return await res.json() as { id: string; url: string };
}

Deno.test({
  name: "share dialog makes a link, copies it and shows a QR code that reads back as the link",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "pub/a.txt": "0123456789", "b.txt": "b" });
    await using server = await startStatefulServer(dir.path, { upload: true });
    await using tab = await openPage();
    const { page, errors } = tab;
    const cdp = await page.createCDPSession();
    await cdp.send("Browser.grantPermissions", {
      origin: new URL(server.url).origin,
      permissions: ["clipboardReadWrite", "clipboardSanitizedWrite"],
    });
    await page.goto(server.href("/"));
    await page.waitForSelector('tr[data-name="pub"] button.share');
    await page.click('tr[data-name="pub"] button.share');
    await page.waitForSelector("#share-dialog[open]");
    await page.click("#share-create");
    await page.waitForFunction(scripts.qrLoaded, {});
    const link = await page.evaluate(scripts.valueOf, "#share-link");
    assertMatch(link, /^http:\/\/127\.0\.0\.1:\d+\/_\/s\/[A-Za-z0-9_-]{32}\/$/);

    await page.click("#share-copy");
    await page.waitForSelector("#share-copied:not(:empty)");
    assertEquals(await page.evaluate(scripts.valueOf, "#share-link"), link);
    assertEquals(await page.evaluate(scripts.clipboardText), link);

    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const shot = new URL("share-dialog.png", ARTIFACTS).pathname;
    await page.screenshot({ path: shot });
    assertEquals(readQr(await Deno.readFile(shot)), link);

    // The link works, for the shared folder only.
    const res = await fetch(link + "a.txt");
    assertEquals(await res.text(), "0123456789");
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "a protected link asks for its password once, then lists the shared folder",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "pub/a.txt": "0123456789", "top.txt": "not shared" });
    await using server = await startStatefulServer(dir.path, { upload: true });
    const made = await makeShare(server, { path: "/pub/", password: "open sesame" });
    await using tab = await openPage(made.url);
    const { page } = tab;
    await page.type("#share-password", "wrong");
    await Promise.all([page.waitForNavigation(), page.click("form.share-password button")]);
    assertMatch(await page.evaluate(scripts.bodyText), /Wrong password/);
    await page.type("#share-password", "open sesame");
    await Promise.all([page.waitForNavigation(), page.click("form.share-password button")]);
    await page.waitForSelector('tr[data-name="a.txt"]');
    assertEquals(page.url(), made.url);
    const text = await page.evaluate(scripts.bodyText);
    assertOk(!text.includes("top.txt") && !text.includes("pub"), text);
    await screenshot(page, "share-listing");
  },
});

Deno.test({
  name: "shares page lists links with live use counts and revokes them",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "pub/a.txt": "0123456789" });
    await using server = await startStatefulServer(dir.path, { upload: true });
    const made = await makeShare(server, { path: "/pub/a.txt", maxDownloads: 9 });
    await using tab = await openPage(server.href("/_/shares"));
    const { page, errors } = tab;
    await page.waitForSelector(`tr[data-id="${made.id}"]`);
    assertOk(await page.evaluate(scripts.shareUsesInclude, made.id, "0 downloads of 9"));
    await (await fetch(made.url)).body?.cancel();
    await page.waitForFunction(scripts.shareUsesInclude, {}, made.id, "1 download of 9");
    await screenshot(page, "shares-page");
    await page.click(`tr[data-id="${made.id}"] button.revoke`);
    await page.waitForFunction(scripts.shareRowGone, {}, made.id);
    const after = await fetch(made.url);
    assertEquals(after.status, 404);
    await after.body?.cancel();
    assertEquals(errors, []);
  },
});

Deno.test({
  name:
    "drop-box page on a phone uploads a file resumably, shows it finish, and shows nothing of the folder",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "inbox/secret-plans.txt": "hidden", "inbox/photo.jpg": "x" });
    await using files = await tempDir({ "photo.jpg": new Uint8Array(200_000).fill(7) });
    await using server = await startStatefulServer(dir.path, { upload: true });
    const made = await makeShare(server, { path: "/inbox/", mode: "upload", maxFiles: 5 });
    await using tab = await openPage();
    const { page, errors } = tab;
    await page.setViewport({ width: 375, height: 740, isMobile: true, hasTouch: true });
    // What the page got answered: a tus creation and appends, not a plain PUT.
    const seen: string[] = [];
    page.on("response", (res) => seen.push(`${res.status()} ${new URL(res.url()).pathname}`));
    await page.goto(made.url);
    await page.waitForSelector("#drop-choose");
    const text = await page.evaluate(scripts.bodyText);
    assertMatch(text, /Drop box/);
    assertOk(!text.includes("secret-plans") && !text.includes("inbox"), text);
    assertOk(await page.evaluate(scripts.fitsWidth), "no sideways scrolling on a phone");

    const input = await page.$("#drop-input");
    assertOk(input);
    await input.uploadFile(`${files.path}/photo.jpg`);
    await page.waitForSelector('li.upload-item[data-state="done"]');
    const status = await page.evaluate(scripts.bodyText);
    assertMatch(status, /Sent as photo \(1\)\.jpg/);
    assertMatch(status, /1 of 1 uploaded/);
    const link = new URL(made.url).pathname;
    const log = seen.join("\n");
    assertOk(seen.includes(`201 ${link}_/uploads/`), log);
    assertOk(seen.some((r) => r.startsWith(`204 ${link}_/uploads/`)), log);
    assertOk(!seen.some((r) => r.endsWith(`${link}photo.jpg`)), log);
    await screenshot(page, "drop-box-phone");
    assertEquals((await Deno.readFile(`${dir.path}/inbox/photo (1).jpg`)).length, 200_000);
    assertEquals(await Deno.readTextFile(`${dir.path}/inbox/photo.jpg`), "x");
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "a shared folder's listing previews a video, and a seek gets a 206 from the middle",
  ...BROWSER_TEST,
  ignore: CHROMIUM_MISSING !== null || FFMPEG === null,
  async fn() {
    await using dir = await tempDir({ "top.txt": "not shared" });
    await Deno.mkdir(`${dir.path}/films`);
    await makeVideo(`${dir.path}/films/clip.mp4`, 60);
    const size = (await Deno.stat(`${dir.path}/films/clip.mp4`)).size;
    await using server = await startStatefulServer(dir.path, { upload: true });
    const made = await makeShare(server, { path: "/films/" });
    await using tab = await openPage();
    const { page, errors } = tab;
    const media = recordResponses(page, new URL(made.url).pathname + "clip.mp4");
    await page.goto(made.url);
    const text = await page.evaluate(scripts.bodyText);
    assertOk(!text.includes("films") && !text.includes("top.txt") && !text.includes("demos"));
    await page.click('a.entry[href="clip.mp4"]');
    await page.waitForSelector("dialog.preview[open] video");
    await page.waitForFunction(pageScripts.videoPlayingPast, {}, 0.5);
    const beforeSeek = media.length;
    await page.evaluate(pageScripts.seekVideo, 30);
    await page.waitForFunction(pageScripts.videoPlayingPast, {}, 30.5);
    assertOk(
      media.slice(beforeSeek).some((r) => r.status === 206 && r.start > size / 4 && r.start < size),
      `a 206 from the middle after the seek; got ${JSON.stringify(media)} of ${size} bytes`,
    );
    await screenshot(page, "share-preview-video");
    assertEquals(errors, []);
  },
});
if (FFMPEG === null) console.log("skipped the shared video test: ffmpeg is not installed");
