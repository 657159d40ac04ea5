/**
 * A small tree to serve and the checks that prove a separately started
 * Sluice (from another directory, or compiled) serves it with its UI.
 *
 * @module
 */
import { assertEquals, assertMatch, assertOk } from "./assert.ts";

/** Files for `tempDir(SERVED_TREE)`. */
export const SERVED_TREE: Record<string, string> = {
  "digits.txt": "0123456789",
  "docs/note.md": "# Note\n",
};

/**
 * Fetches a file, a range, a listing page and every `/_/static/` asset the
 * page references, asserting on each. `href` resolves a path on the server.
 */
export async function checkServedTree(href: (path: string) => string): Promise<void> {
  const file = await fetch(href("/digits.txt"));
  assertEquals(file.status, 200);
  assertMatch(file.headers.get("content-type") ?? "", /^text\/plain/);
  assertEquals(await file.text(), "0123456789");

  const range = await fetch(href("/digits.txt"), { headers: { range: "bytes=2-4" } });
  assertEquals(range.status, 206);
  assertEquals(range.headers.get("content-range"), "bytes 2-4/10");
  assertEquals(await range.text(), "234");

  const listing = await fetch(href("/docs/"), { headers: { accept: "text/html" } });
  assertEquals(listing.status, 200);
  assertMatch(listing.headers.get("content-type") ?? "", /^text\/html/);
  const html = await listing.text();
  assertOk(html.includes("note.md"), "the listing names note.md");

  const assets = new Set(
    [...html.matchAll(/(?:href|src)="(\/_\/static\/[^"]+)"/g)].map((m) => m[1]),
  );
  assets.add("/_/static/style.css");
  for (const asset of assets) {
    const res = await fetch(href(asset));
    assertEquals(res.status, 200, `${asset} loads`);
    const body = await res.bytes();
    assertOk(body.length > 0, `${asset} is not empty`);
  }
}

/**
 * Reads the first event of `/_/sse/countdown?from=1&interval=10`. Returns
 * `false` (nothing checked) while that route answers 404.
 */
export async function checkSseEvent(href: (path: string) => string): Promise<boolean> {
  const res = await fetch(href("/_/sse/countdown?from=1&interval=10"));
  if (res.status === 404) {
    await res.body?.cancel();
    return false;
  }
  assertEquals(res.status, 200);
  assertMatch(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/^data:/m.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  assertMatch(text, /^data:/m);
  return true;
}
