/**
 * The UI in real headless Chromium against the real server on port 0.
 *
 * Every test here turns off Deno's op and resource sanitizers: puppeteer
 * keeps its browser process, pipes and WebSocket to Chromium open across
 * awaits in ways the sanitizers report as leaks even though `await using`
 * closes them all when the test ends.
 * @module
 */
import { assertEquals, assertMatch, assertOk, assertRejects } from "./helpers/assert.ts";
import { startStatefulServer, startTestServer, tempDir } from "./helpers/server.ts";
import { parseAuth } from "../src/config/parse_config.ts";
import {
  BROWSER_TEST,
  CHROMIUM_MISSING,
  collectErrors,
  launchBrowser,
  type OpenPage,
  openPage,
  type Page,
  recordResponses,
  screenshot,
} from "./browser/browser.ts";
import { FFMPEG, makeAudio, makeVideo } from "./browser/media_fixture.ts";
import * as scripts from "./browser/page_scripts.js";

/** Waits until the listing's live feed is connected. */
async function waitLive(page: Page): Promise<void> {
  await page.waitForSelector('#live-status[data-status="live"]');
}

/**
 * A browser with one page open on `url`, its live feed connected;
 * `await using` closes the browser.
 */
async function livePage(url: string): Promise<OpenPage> {
  const tab = await openPage(url);
  await waitLive(tab.page);
  return tab;
}

/**
 * Tabs through the page and returns the focusable controls that Tab never
 * reached (links, buttons, inputs that are visible and enabled).
 */
async function unreachedByTab(page: Page): Promise<string[]> {
  const controls = await page.evaluate(scripts.markFocusableControls);
  assertOk(controls.length > 0);
  const reached = new Set<number>();
  for (let i = 0; i < controls.length + 5; i++) {
    await page.keyboard.press("Tab");
    const probe = await page.evaluate(scripts.activeProbe);
    if (probe !== null) reached.add(Number(probe));
  }
  return controls.filter((_, i) => !reached.has(i));
}

Deno.test({
  name: "listing page loads without console errors, sorts, filters and shows dates",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({
      "b-notes.txt": "x".repeat(300),
      "a-big.bin": new Uint8Array(5000),
      "c-small.json": "{}",
      "Photos/cat.png": "not really a png",
      "music/song.mp3": "",
    });
    const hour = 3600;
    const now = Date.now() / 1000;
    await Deno.utime(`${dir.path}/b-notes.txt`, now, now - 3 * hour);
    await Deno.utime(`${dir.path}/a-big.bin`, now, now - 30 * 24 * hour);
    await Deno.utime(`${dir.path}/c-small.json`, now, now - 60);
    await using server = startTestServer(dir.path);
    await using tab = await openPage(server.href("/"));
    const { page, errors } = tab;
    await page.waitForSelector("#filter");
    await waitLive(page);

    assertEquals(await page.evaluate(scripts.visibleNames), [
      "music",
      "Photos",
      "a-big.bin",
      "b-notes.txt",
      "c-small.json",
    ]);
    assertEquals(await page.evaluate(scripts.textOf, "#count"), "5 items");
    const dates = await page.evaluate(scripts.textsOf, "td.mtime time");
    assertOk(dates.includes("3 hours ago"), dates.join(", "));
    assertOk(dates.includes("1 minute ago"), dates.join(", "));
    assertEquals(await page.$("#upload"), null, "read-only: no upload section");
    assertEquals(await page.$('input[type="file"]'), null, "read-only: no file input");

    // By size, folders stay A to Z in both directions, as on the server.
    await page.click("th.col-size a.sort");
    assertEquals(await page.evaluate(scripts.visibleNames), [
      "music",
      "Photos",
      "a-big.bin",
      "b-notes.txt",
      "c-small.json",
    ]);
    assertMatch(page.url(), /\?sort=size&order=desc$/);
    assertEquals(
      await page.evaluate(scripts.attrOf, "th.col-size", "aria-sort"),
      "descending",
    );
    await page.click("th.col-size a.sort");
    assertEquals(await page.evaluate(scripts.visibleNames), [
      "music",
      "Photos",
      "c-small.json",
      "b-notes.txt",
      "a-big.bin",
    ]);
    await page.click("th.col-mtime a.sort");
    assertEquals(await page.evaluate(scripts.visibleNames).then((n) => n.slice(2)), [
      "c-small.json",
      "b-notes.txt",
      "a-big.bin",
    ]);

    await page.type("#filter", "NOTES");
    assertEquals(await page.evaluate(scripts.visibleNames), ["b-notes.txt"]);
    assertEquals(await page.evaluate(scripts.textOf, "#count"), "1 of 5 items");
    await page.click("#filter", { count: 3 });
    await page.keyboard.type("zzz");
    assertEquals(await page.evaluate(scripts.visibleNames), []);
    assertEquals(await page.evaluate(scripts.hiddenOf, "#empty"), false);
    await page.click("#filter", { count: 3 });
    await page.keyboard.press("Backspace");

    await page.goto(server.href("/"));
    await page.waitForSelector("#filter");
    await screenshot(page, "listing-light");
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    await screenshot(page, "listing-dark");
    await page.setViewport({ width: 380, height: 700 });
    await screenshot(page, "listing-narrow");
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "listing page works with JavaScript off: sort links, downloads, no upload controls",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "one.txt": "1", "three.txt": "333", "two.txt": "22" });
    await using server = startTestServer(dir.path, { upload: true });
    await using tab = await openPage();
    const { page } = tab;
    await page.setJavaScriptEnabled(false);
    await page.goto(server.href("/"));
    assertEquals(await page.evaluate(scripts.hiddenOf, "#upload"), true);
    await Promise.all([page.waitForNavigation(), page.click("th.col-size a.sort")]);
    assertEquals(await page.evaluate(scripts.visibleNames), ["three.txt", "two.txt", "one.txt"]);
    const download = await page.evaluate(scripts.hrefOf, 'tr[data-name="two.txt"] a.download');
    assertOk(download);
    const res = await fetch(download);
    assertMatch(res.headers.get("content-disposition") ?? "", /attachment/);
    assertEquals(await res.text(), "22");
    await screenshot(page, "listing-no-js");
  },
});

Deno.test({
  name:
    "preview shows text and images, plays a video, and a seek to the middle gets a 206 and resumes there",
  ...BROWSER_TEST,
  ignore: CHROMIUM_MISSING !== null || FFMPEG === null,
  async fn() {
    await using dir = await tempDir({
      "readme.txt": "hello from a text file\n",
      "dot.svg": `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"></svg>`,
    });
    await makeVideo(`${dir.path}/clip.mp4`, 60);
    const size = (await Deno.stat(`${dir.path}/clip.mp4`)).size;
    await using server = startTestServer(dir.path);
    await using tab = await openPage();
    const { page, errors } = tab;
    const media = recordResponses(page, "/clip.mp4");
    await page.goto(server.href("/"));
    await page.waitForSelector("#filter");

    await page.click('a.entry[href="readme.txt"]');
    await page.waitForFunction(
      scripts.someTextIs,
      {},
      ".text-preview",
      "hello from a text file\n",
    );
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog.preview:not([open])");

    // On a phone-sized screen every action, close included, stays inside the dialog.
    await page.setViewport({ width: 375, height: 740, isMobile: true, hasTouch: true });
    await page.click('a.entry[href="readme.txt"]');
    await page.waitForSelector("dialog.preview[open] .text-preview");
    assertEquals(
      await page.evaluate(scripts.overflowing, "dialog.preview header", ".preview-actions > *"),
      [],
    );
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog.preview:not([open])");
    await page.setViewport({ width: 1280, height: 800 });

    await page.click('a.entry[href="dot.svg"]');
    await page.waitForFunction(scripts.imageLoaded, {}, "dialog.preview[open] img");
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog.preview:not([open])");

    await page.click('a.entry[href="clip.mp4"]');
    await page.waitForSelector("dialog.preview[open] video");
    await page.waitForFunction(scripts.videoPlayingPast, {}, 0.5);
    const beforeSeek = media.length;
    await page.evaluate(scripts.seekVideo, 30);
    await page.waitForFunction(scripts.videoPlayingPast, {}, 30.5);
    const position = await page.evaluate(scripts.videoTime);
    assertOk(position < 40, `resumed at ${position}s, near the seek target`);
    const afterSeek = media.slice(beforeSeek);
    assertOk(
      afterSeek.some((r) => r.status === 206 && r.start > size / 4 && r.start < size),
      `a 206 from the middle after the seek; got ${JSON.stringify(media)} of ${size} bytes`,
    );
    await screenshot(page, "preview-video");
    await page.click("dialog.preview button.close");
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "preview plays audio, and a seek to the middle gets a 206 and resumes there",
  ...BROWSER_TEST,
  ignore: CHROMIUM_MISSING !== null || FFMPEG === null,
  async fn() {
    await using dir = await tempDir();
    await makeAudio(`${dir.path}/tone.wav`, 120);
    const size = (await Deno.stat(`${dir.path}/tone.wav`)).size;
    await using server = startTestServer(dir.path);
    await using tab = await openPage();
    const { page, errors } = tab;
    const ranges = recordResponses(page, "/tone.wav");
    await page.goto(server.href("/"));
    await page.waitForSelector("#filter");
    await page.click('a.entry[href="tone.wav"]');
    await page.waitForSelector("dialog.preview[open] audio");
    await page.waitForFunction(scripts.audioPlayingPast, {}, 0.2);
    const beforeSeek = ranges.length;
    await page.evaluate(scripts.seekAudio, 90);
    await page.waitForFunction(scripts.audioPlayingPast, {}, 90.2);
    assertOk(
      ranges.slice(beforeSeek).some((r) => r.status === 206 && r.start > size / 2),
      `a 206 from past the middle after the seek; got ${JSON.stringify(ranges)} of ${size} bytes`,
    );
    await page.keyboard.press("Escape");
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "upload through the UI shows progress and appears in a second page via the live feed",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "existing.txt": "old" });
    await using files = await tempDir({
      "big upload.bin": new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251),
      "existing.txt": "the new version",
    });
    await using server = await startStatefulServer(dir.path, { upload: true });
    await using browser = await launchBrowser();
    const uploader = await browser.newPage();
    const watcher = await browser.newPage();
    const errors = [...collectErrors(uploader)];
    const watcherErrors = collectErrors(watcher);
    for (const page of [watcher, uploader]) {
      await page.goto(server.href("/"));
      await waitLive(page);
    }

    // Background tabs get no animation frames, which puppeteer's waits use.
    await uploader.bringToFront();
    const input = await uploader.$("#upload-input");
    assertOk(input);
    await input.uploadFile(`${files.path}/big upload.bin`);
    const item = 'li.upload-item[data-name="big upload.bin"]';
    await uploader.waitForSelector(`${item}[data-state="done"]`);
    const done = await uploader.evaluate(scripts.uploadItem, item);
    assertMatch(done.status, /^Uploaded 3\.0 MiB in /);
    assertEquals(done.value, done.max);
    assertOk(done.events >= 1, "at least one progress update was shown");
    await screenshot(uploader, "upload-done");

    // The other page learns about the file from /_/events alone.
    await watcher.bringToFront();
    await watcher.waitForSelector('tr[data-name="big upload.bin"]');
    assertEquals(
      await watcher.evaluate(scripts.textOf, 'tr[data-name="big upload.bin"] td.size'),
      "3.0 MiB",
    );
    const stored = await Deno.readFile(`${dir.path}/big upload.bin`);
    assertEquals(stored.length, 3 * 1024 * 1024);

    // An existing name is not overwritten silently: 412 in words, then Replace.
    await uploader.bringToFront();
    const again = await uploader.$("#upload-input");
    await again?.uploadFile(`${files.path}/existing.txt`);
    const conflict = 'li.upload-item[data-name="existing.txt"]';
    await uploader.waitForSelector(`${conflict}[data-state="error"]`);
    assertEquals(
      await uploader.evaluate(scripts.textOf, `${conflict} .upload-status`),
      "A file with this name already exists.",
    );
    assertEquals(await Deno.readTextFile(`${dir.path}/existing.txt`), "old");
    await screenshot(uploader, "upload-conflict");
    await uploader.click(`${conflict} button.upload-replace`);
    await uploader.waitForSelector(`${conflict}[data-state="done"]`);
    assertEquals(await Deno.readTextFile(`${dir.path}/existing.txt`), "the new version");

    // The replacement and then a removal show up live too.
    await watcher.bringToFront();
    await watcher.waitForFunction(
      scripts.someTextIs,
      {},
      'tr[data-name="existing.txt"] td.size',
      "15 B",
    );
    await Deno.remove(`${dir.path}/existing.txt`);
    await watcher.waitForSelector('tr[data-name="existing.txt"]', { hidden: true });
    // The 412 is an expected answer; Chromium logs every 4xx as a console error.
    assertEquals(errors.filter((e) => !/status of 412/.test(e)), []);
    assertEquals(watcherErrors, []);
  },
});

Deno.test({
  name: "listing catches up with changes made while the server was down",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "before.txt": "b" });
    await using first = startTestServer(dir.path);
    await using tab = await openPage(first.href("/"));
    const { page } = tab;
    await waitLive(page);
    await first.shutdown(0);
    await first.finished;
    await page.waitForSelector('#live-status:not([data-status="live"])');
    await Deno.writeTextFile(`${dir.path}/while-down.txt`, "w");
    await Deno.remove(`${dir.path}/before.txt`);
    // A new server (and change feed) on the same port: EventSource reconnects
    // with a Last-Event-ID the new feed never issued.
    await using second = startTestServer(dir.path, { port: first.port });
    await page.waitForSelector('tr[data-name="while-down.txt"]');
    await page.waitForSelector('tr[data-name="before.txt"]', { hidden: true });
    await waitLive(page);
    assertEquals(new URL(second.url).port, String(first.port));
  },
});

Deno.test({
  name: "upload shows bytes, speed and time left while it runs, and Cancel stores nothing",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "keep.txt": "k" });
    await using files = await tempDir({ "slow.bin": new Uint8Array(1024 * 1024) });
    await using server = await startStatefulServer(dir.path, { upload: true });
    await using tab = await openPage(server.href("/"));
    const { page, errors } = tab;
    await page.waitForSelector("#upload:not([hidden])");
    // 128 KiB/s: the 1 MiB upload takes about 8 s, long enough to watch.
    await page.emulateNetworkConditions({ download: -1, upload: 128 * 1024, latency: 0 });
    const input = await page.$("#upload-input");
    assertOk(input);
    await input.uploadFile(`${files.path}/slow.bin`);
    const item = 'li.upload-item[data-name="slow.bin"]';
    await page.waitForFunction(
      scripts.textMatches,
      {},
      `${item} .upload-status`,
      String.raw`^[1-9]\d* KiB of 1\.0 MiB · \d+ KiB/s · 0:\d\d left$`,
    );
    const [sent, total] = await page.evaluate(scripts.progressOf, `${item} progress`);
    assertOk(sent > 0 && sent < total, `partial progress ${sent}/${total}`);
    await screenshot(page, "upload-progress");
    await page.click(`${item} button.upload-cancel`);
    await page.waitForSelector(`${item}[data-state="cancelled"]`);
    assertEquals(await page.evaluate(scripts.textOf, `${item} .upload-status`), "Cancelled");
    const stat = await Deno.stat(`${dir.path}/slow.bin`).catch(() => null);
    assertEquals(stat, null, "a cancelled upload never reaches its name");
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "files dropped on the page are uploaded and listed",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir();
    await using server = await startStatefulServer(dir.path, { upload: true });
    await using tab = await openPage(server.href("/"));
    const { page, errors } = tab;
    await waitLive(page);
    const dropped = [
      { name: "dropped one.txt", text: "first file" },
      { name: "dropped-two.txt", text: "second file" },
    ];
    assertEquals(await page.evaluate(scripts.dropFiles, dropped), true);
    for (const { name } of dropped) {
      await page.waitForSelector(`li.upload-item[data-name="${name}"][data-state="done"]`);
      await page.waitForSelector(`#listing tbody tr[data-name="${name}"]`);
    }
    for (const { name, text } of dropped) {
      assertEquals(await Deno.readTextFile(`${dir.path}/${name}`), text);
    }
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "upload over the server's limit is explained in words and stores nothing",
  ...BROWSER_TEST,
  async fn() {
    await using files = await tempDir({ "big.bin": new Uint8Array(64 * 1024) });
    await using dir = await tempDir();
    await using server = await startStatefulServer(dir.path, { upload: true, maxUpload: 1024 });
    await using tab = await openPage(server.href("/"));
    const { page } = tab;
    await page.waitForSelector("#upload:not([hidden])");
    const input = await page.$("#upload-input");
    assertOk(input);
    await input.uploadFile(`${files.path}/big.bin`);
    const item = 'li.upload-item[data-name="big.bin"]';
    await page.waitForSelector(`${item}[data-state="error"]`);
    assertEquals(
      await page.evaluate(scripts.textOf, `${item} .upload-status`),
      "Too large: the file is over this server's upload limit.",
    );
    assertEquals(await Deno.stat(`${dir.path}/big.bin`).catch(() => null), null);
  },
});

Deno.test({
  name: "upload by an anonymous reader asks for credentials, then stores as the rw user",
  ...BROWSER_TEST,
  async fn() {
    await using files = await tempDir({ "signed.txt": "signed upload" });
    await using dir = await tempDir();
    await using server = await startStatefulServer(dir.path, {
      upload: true,
      auth: [parseAuth("writer:secret:rw")],
      anonymousRead: true,
    });
    await using tab = await openPage(server.href("/"));
    const { page } = tab;
    await page.waitForSelector("#upload:not([hidden])");
    // The browser's Basic sign-in prompt, answered the way a person would.
    await page.authenticate({ username: "writer", password: "secret" });
    const input = await page.$("#upload-input");
    assertOk(input);
    await input.uploadFile(`${files.path}/signed.txt`);
    await page.waitForSelector('li.upload-item[data-name="signed.txt"][data-state="done"]');
    assertEquals(await Deno.readTextFile(`${dir.path}/signed.txt`), "signed upload");
  },
});

Deno.test({
  name: "demos page renders every countdown event and the whole token stream",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir();
    await using server = startTestServer(dir.path);
    await using tab = await openPage(server.href("/_/"));
    const { page, errors } = tab;

    const from = await page.$('#countdown-form input[name="from"]');
    await from?.click({ count: 3 });
    await from?.type("4");
    const interval = await page.$('#countdown-form input[name="interval"]');
    await interval?.click({ count: 3 });
    await interval?.type("30");
    await page.click('#countdown-form button[type="submit"]');
    await page.waitForSelector('#countdown-form[data-state="done"]');
    assertEquals(
      await page.evaluate(scripts.textsOf, "#countdown-log li"),
      ["id 4: 4", "id 3: 3", "id 2: 2", "id 1: 1", "done: liftoff"],
    );

    const text = "Hello, wörld! 안녕하세요 👋🏽 streaming…";
    await page.evaluate(scripts.setValue, '#tokens-form textarea[name="text"]', text);
    const delay = await page.$('#tokens-form input[name="delay"]');
    await delay?.click({ count: 3 });
    await delay?.type("5");
    await page.click('#tokens-form button[type="submit"]');
    await page.waitForSelector('#tokens-form[data-state="done"]');
    assertEquals(await page.evaluate(scripts.textOf, "#tokens-reply"), text);
    assertOk(
      Number(await page.evaluate(scripts.attrOf, "#tokens-form", "data-tokens")) > 1,
    );

    await page.click('#progress-form button[type="submit"]');
    await page.waitForSelector('#progress-form[data-state="done"]');
    const bar = await page.evaluate(scripts.progressOf, "#progress-bar");
    assertEquals(bar, [3, 3]);

    await page.click("#echo-connect");
    await page.waitForSelector('#echo-status[data-status="live"]');
    // Connecting selects the message box: typing replaces the sample text.
    await page.keyboard.type("hello there");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      scripts.someTextIs,
      {},
      "#echo-log li.received",
      "Received: hello there",
    );
    await screenshot(page, "demos");
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    await screenshot(page, "demos-dark");
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "keyboard: Tab reaches every control of the listing and the demos page",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "a.txt": "a", "sub/b.txt": "b" });
    await using server = startTestServer(dir.path, { upload: true });
    await using tab = await openPage(server.href("/sub/"));
    const { page } = tab;
    await page.waitForSelector("#upload:not([hidden])");
    assertEquals(await unreachedByTab(page), []);
    await page.goto(server.href("/_/"));
    await page.waitForSelector("#countdown-form");
    assertEquals(await unreachedByTab(page), []);
    // Focus is visible: the control focused by Tab gets an outline.
    await page.evaluate(scripts.markFocusableControls);
    await page.keyboard.press("Tab");
    assertEquals(await page.evaluate(scripts.activeOutline), "solid");
  },
});

Deno.test({
  name: "folder pages left for the back/forward cache close their live feed (8 clicks in a row)",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "a/one.txt": "1", "b/two.txt": "2" });
    await using server = startTestServer(dir.path);
    await using session = await livePage(server.href("/"));
    const { page } = session;
    // Chromium allows six connections per host over HTTP/1.1: pages kept
    // with an open EventSource would leave none by the sixth click.
    for (let i = 0; i < 8; i++) {
      const link = i % 2 === 0
        ? `a.entry[href="${i % 4 === 0 ? "a" : "b"}/"]`
        : ".crumbs a[href='/']";
      await Promise.all([page.waitForNavigation(), page.click(link)]);
      await page.waitForSelector('#live-status[data-status="live"]', { timeout: 10_000 });
    }
    let sse = server.state.openStreams().sse;
    for (let i = 0; i < 50 && sse > 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      sse = server.state.openStreams().sse;
    }
    assertEquals(sse, 1, "only the page on screen keeps a feed open");
    // Back into the cache's page: it reconnects.
    await Promise.all([page.waitForNavigation(), page.goBack()]);
    await waitLive(page);
  },
});

Deno.test({
  name:
    "write mode: new folder, delete a file, delete a full folder after a second confirm, rename",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "old.txt": "bye", "full/inside.txt": "x", "keep.txt": "k" });
    await using server = startTestServer(dir.path, { upload: true });
    await using tab = await openPage();
    const { page, errors } = tab;
    const confirms: string[] = [];
    page.on("dialog", (dialog) => {
      confirms.push(dialog.message());
      // The rename prompt gets a new name; confirms are accepted.
      dialog.accept(dialog.message().startsWith("Rename") ? "kept (renamed).txt" : undefined);
    });
    await page.goto(server.href("/"));
    await waitLive(page);
    assertEquals(await page.evaluate(scripts.isDisplayed, "#upload-clear"), false);

    await page.type("#new-folder-name", "Holiday 2026");
    await page.click("#new-folder button[type=submit]");
    await page.waitForSelector('tr[data-name="Holiday 2026"][data-kind="dir"]');
    assertOk((await Deno.stat(`${dir.path}/Holiday 2026`)).isDirectory);
    // The same name again is refused with the reason in words.
    await page.type("#new-folder-name", "Holiday 2026");
    await page.click("#new-folder button[type=submit]");
    await page.waitForSelector('#manage-status[data-kind="error"]');
    assertMatch(
      (await page.evaluate(scripts.textOf, "#manage-status"))!,
      /already exists/,
    );

    await page.click('tr[data-name="old.txt"] button.delete');
    await page.waitForSelector('tr[data-name="old.txt"]', { hidden: true });
    await assertRejects(() => Deno.stat(`${dir.path}/old.txt`), Deno.errors.NotFound);

    await page.click('tr[data-name="full"] button.delete');
    await page.waitForSelector('tr[data-name="full"]', { hidden: true });
    await assertRejects(() => Deno.stat(`${dir.path}/full`), Deno.errors.NotFound);
    assertEquals(confirms, [
      "Delete old.txt?",
      "Delete the folder full?",
      "full is not empty. Delete it and everything in it?",
    ]);
    await page.click('tr[data-name="keep.txt"] button.rename');
    await page.waitForSelector('tr[data-name="kept (renamed).txt"]');
    assertEquals(await Deno.readTextFile(`${dir.path}/kept (renamed).txt`), "k");
    assertEquals(confirms.at(-1), "Rename keep.txt to:");
    // Rows added by the live feed get a delete button too.
    await Deno.writeTextFile(`${dir.path}/later.txt`, "new");
    await page.waitForSelector('tr[data-name="later.txt"] button.delete');
    await screenshot(page, "write-mode-manage");
    // Chromium logs the refusals the page asked for (412 name taken, 409 folder not empty).
    assertEquals(errors.filter((e) => !/status of (412|409)/.test(e)), []);
  },
});

Deno.test({
  name:
    "a chosen or dropped folder uploads with its structure (dot-entries skipped); Clear finished",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir();
    await using files = await tempDir({
      "trip/day 1.txt": "sun",
      "trip/photos/ü.bin": new Uint8Array(70_000).map((_, i) => i % 253),
      "trip/.DS_Store": "junk",
    });
    await using server = await startStatefulServer(dir.path, { upload: true });
    await using tab = await openPage(server.href("/"));
    const { page, errors } = tab;
    await waitLive(page);
    const input = await page.$("#upload-folder-input");
    assertOk(input);
    await input.uploadFile(`${files.path}/trip`);
    await page.waitForSelector('li.upload-item[data-name="trip/day 1.txt"][data-state="done"]');
    await page.waitForSelector('li.upload-item[data-name="trip/photos/ü.bin"][data-state="done"]');
    assertEquals(await Deno.readTextFile(`${dir.path}/trip/day 1.txt`), "sun");
    assertEquals(
      await Deno.readFile(`${dir.path}/trip/photos/ü.bin`),
      await Deno.readFile(`${files.path}/trip/photos/ü.bin`),
    );
    await assertRejects(() => Deno.stat(`${dir.path}/trip/.DS_Store`), Deno.errors.NotFound);
    assertEquals(await page.evaluate(scripts.textsOf, "li.upload-item .upload-name"), [
      "trip/day 1.txt",
      "trip/photos/ü.bin",
    ]);
    await page.waitForSelector('tr[data-name="trip"][data-kind="dir"]');

    // A dropped folder takes the same path, through the drop event's entries.
    await page.click("#upload-clear");
    const cdp = await page.createCDPSession();
    const data = { items: [], files: [`${files.path}/trip`], dragOperationsMask: 1 };
    for (const type of ["dragEnter", "dragOver", "drop"]) {
      await cdp.send("Input.dispatchDragEvent", { type, x: 300, y: 200, data });
    }
    // Same names: each asks before replacing (412), which shows the drop walked the folder.
    await page.waitForSelector('li.upload-item[data-name="trip/photos/ü.bin"][data-state="error"]');
    await page.waitForSelector('li.upload-item[data-name="trip/day 1.txt"][data-state="error"]');
    assertEquals((await page.evaluate(scripts.textsOf, "li.upload-item .upload-name")).length, 2);
    await page.click("#upload-clear");
    assertEquals(await page.evaluate(scripts.textsOf, "li.upload-item"), []);
    assertEquals(await page.evaluate(scripts.hiddenOf, "#upload-clear"), true);
    assertEquals(errors.filter((e) => !/status of 412/.test(e)), []);
  },
});

Deno.test({
  name: "search finds names in subfolders, and new matches appear live on the results page",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "a/cat.txt": "1", "b/c/Catalog.pdf": "2", "dog.txt": "3" });
    await using server = startTestServer(dir.path);
    await using tab = await openPage(server.href("/"));
    const { page, errors } = tab;
    await waitLive(page);
    await page.type("#search-q", "cat");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    assertMatch(page.url(), /\/\?q=cat$/);
    await waitLive(page);
    assertEquals(await page.evaluate(scripts.visibleNames), ["a/cat.txt", "b/c/Catalog.pdf"]);
    // Sorting keeps the search (the links are rewritten by the script).
    await page.click("th.col-size a.sort");
    assertMatch(
      (await page.evaluate(scripts.attrOf, "th.col-size a.sort", "href"))!,
      /^\?q=cat&sort=size&order=asc$/,
    );
    await Deno.writeTextFile(`${dir.path}/b/wildcat.md`, "new");
    await page.waitForSelector('tr[data-name="b/wildcat.md"]');
    assertEquals(errors, []);
    await screenshot(page, "search-results");
  },
});

Deno.test({
  name: "a page opened as http://user:pw@host/ still updates live, renames, and keeps the focus",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "a.txt": "a", "b.txt": "b" });
    await using server = startTestServer(dir.path, {
      upload: true,
      auth: [parseAuth("alice:pw:rw")],
    });
    await using tab = await openPage();
    const { page, errors } = tab;
    page.on("dialog", (dialog) => dialog.accept("renamed.txt"));
    // Chromium keeps the credentials in the page's base URL, where fetch() refuses them.
    await page.goto(server.href("/").replace("http://", "http://alice:pw@"));
    await waitLive(page);
    await page.evaluate(scripts.focusOn, 'tr[data-name="b.txt"] button.delete');
    await Deno.writeTextFile(`${dir.path}/0-new.txt`, "new");
    await page.waitForSelector('tr[data-name="0-new.txt"]');
    // The rows were re-sorted around the focused button; it keeps the focus.
    assertEquals(await page.evaluate(scripts.focusedLabel), "Delete b.txt");
    await page.evaluate(scripts.focusOn, 'tr[data-name="a.txt"] button.rename');
    await page.keyboard.press("Enter");
    await page.waitForSelector('tr[data-name="renamed.txt"]');
    assertEquals(await Deno.readTextFile(`${dir.path}/renamed.txt`), "a");
    await page.waitForFunction(scripts.someTextIs, {}, "#live-status", "Live");
    assertEquals(await page.evaluate(scripts.focusedLabel), "Rename renamed.txt");
    assertEquals(errors, []);
  },
});

Deno.test({
  name: "a folder page empties when its folder is removed, and recovers when it comes back",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir({ "live/a.txt": "a", "live/b.txt": "b" });
    await using server = startTestServer(dir.path);
    await using session = await livePage(server.href("/live/"));
    const { page } = session;
    await Deno.rename(`${dir.path}/live`, `${dir.path}/moved`);
    await page.waitForFunction(scripts.someTextIs, {}, "#live-status", "This folder was removed");
    assertEquals(await page.evaluate(scripts.visibleNames), []);
    await Deno.rename(`${dir.path}/moved`, `${dir.path}/live`);
    await Deno.writeTextFile(`${dir.path}/live/c.txt`, "c");
    await page.waitForSelector('tr[data-name="c.txt"]');
    await page.waitForFunction(scripts.someTextIs, {}, "#live-status", "Live");
    assertEquals(await page.evaluate(scripts.visibleNames), ["a.txt", "b.txt", "c.txt"]);
  },
});
