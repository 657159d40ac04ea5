/**
 * The demos page's token panel in "Model" mode, in real headless Chromium,
 * against Sluice relaying the OpenAI-compatible upstream of
 * tests/helpers/fake_llm.ts.
 *
 * The op and resource sanitizers are off, as in tests/ui_browser_test.ts:
 * puppeteer keeps pipes and sockets open across awaits.
 * @module
 */
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { type FakeScript, startFakeLlm } from "./helpers/fake_llm.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";
import { BROWSER_TEST, openPage, type Page, screenshot } from "./browser/browser.ts";
import * as scripts from "./browser/page_scripts.js";
import { Secret } from "../src/config/secret.ts";

const KEY = "sk-browser-test-SECRET";

/** Sluice relaying a fresh fake upstream, and a browser on its demos page. */
async function modelPage(script: FakeScript) {
  const dir = await tempDir();
  const llm = startFakeLlm(script);
  const server = startTestServer(dir.path, {
    llm: { url: llm.url, model: "fake", key: new Secret(KEY), timeout: 30_000, idle: 30_000 },
  });
  const tab = await openPage(server.href("/_/"));
  const { page, errors } = tab;
  await page.waitForSelector("#tokens-mode:not([hidden])");
  await page.click('#tokens-mode input[value="model"]');
  return {
    llm,
    page,
    errors,
    async [Symbol.asyncDispose]() {
      await tab[Symbol.asyncDispose]();
      await server[Symbol.asyncDispose]();
      await llm[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** Waits until the reply bubble shows exactly `text`. */
function replyIs(page: Page, text: string): Promise<unknown> {
  return page.waitForFunction(scripts.someTextIs, {}, "#tokens-reply", text);
}

/** Types `message` and presses Ask. */
async function ask(page: Page, message: string): Promise<void> {
  await page.evaluate(scripts.setValue, '#tokens-form textarea[name="text"]', message);
  await page.click('#tokens-form button[type="submit"]');
}

Deno.test({
  name: "demos page shows a model's tokens as they arrive and Stop aborts the upstream",
  ...BROWSER_TEST,
  async fn() {
    const tokens = ["Hello", ",", " 세계", " 👋🏽", " never shown"];
    const shown = tokens.map(() => Promise.withResolvers<void>());
    await using m = await modelPage({
      tokens,
      // Lockstep: token i leaves the upstream only once token i-1 is on screen;
      // the last one never does, so the answer is still streaming at Stop.
      gate: (i) => i === 0 ? Promise.resolve() : shown[i - 1].promise,
    });
    const { page, llm } = m;
    assertEquals(await page.evaluate(scripts.textOf, "#tokens-text-label"), "Message");
    assertEquals(await page.evaluate(scripts.hiddenOf, "#tokens-delay"), true);

    const upstream = llm.nextRequest();
    await ask(page, "Say hello");
    for (let i = 0; i < tokens.length - 1; i++) {
      await replyIs(page, tokens.slice(0, i + 1).join(""));
      if (i < tokens.length - 2) shown[i].resolve();
    }
    const request = await upstream;
    assertEquals(request.body.messages, [{ role: "user", content: "Say hello" }]);
    assertEquals(request.authorization, `Bearer ${KEY}`);
    assertEquals(await page.evaluate(scripts.attrOf, "#tokens-form", "data-state"), "running");
    await screenshot(page, "demos-model");

    await page.click("#tokens-form button.stop");
    await deadline(request.closed, "the upstream request's abort");
    assertOk(request.aborted, "the upstream saw the client leave");
    assertEquals(await page.evaluate(scripts.attrOf, "#tokens-form", "data-state"), "stopped");
    assertEquals(
      await page.evaluate(scripts.textOf, "#tokens-reply"),
      tokens.slice(0, -1).join(""),
    );
    assertEquals(m.errors, []);
  },
});

Deno.test({
  name: "demos page shows the relay's error reason and the model's full answer",
  ...BROWSER_TEST,
  async fn() {
    await using m = await modelPage({ status: 429, headers: { "retry-after": "20" } });
    const { page, llm } = m;
    await ask(page, "Hi");
    await page.waitForSelector('#tokens-form[data-state="done"]');
    assertEquals(
      await page.evaluate(scripts.textOf, "#tokens-meta"),
      "Model error: Upstream rate limit reached (429), retry after 20 s",
    );

    llm.script = { tokens: ["All", " done", "."] };
    await ask(page, "Again");
    await page.waitForSelector('#tokens-form[data-state="done"][data-tokens="3"]');
    assertEquals(await page.evaluate(scripts.textOf, "#tokens-reply"), "All done.");
    const text = await page.evaluate(scripts.textOf, "html");
    assertOk(text !== null && !text.includes(KEY), "the key never reaches the page");
    assertEquals(m.errors, []);
  },
});

Deno.test({
  name: "demos page hides Model without --llm-url",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir();
    await using server = startTestServer(dir.path);
    await using tab = await openPage(server.href("/_/"));
    const { page, errors } = tab;
    await page.waitForSelector('#tokens-form[data-mode="demo"]');
    assertEquals(await page.evaluate(scripts.hiddenOf, "#tokens-mode"), true);
    assertEquals(errors, []);
  },
});
