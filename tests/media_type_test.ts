import { contentType } from "../src/http/media_type.ts";
import { assertEquals } from "./helpers/assert.ts";

Deno.test("contentType() maps extensions through mime-db with charset=utf-8 for text", async (t) => {
  const rows: [string, string][] = [
    ["notes.txt", "text/plain; charset=utf-8"],
    ["index.html", "text/html; charset=utf-8"],
    ["style.css", "text/css; charset=utf-8"],
    ["app.js", "text/javascript; charset=utf-8"],
    ["module.mjs", "text/javascript; charset=utf-8"],
    ["data.json", "application/json; charset=utf-8"],
    ["feed.xml", "application/xml; charset=utf-8"],
    ["logo.svg", "image/svg+xml; charset=utf-8"],
    ["README.md", "text/markdown; charset=utf-8"],
    ["clip.mp4", "video/mp4"],
    ["movie.webm", "video/webm"],
    ["song.mp3", "audio/mpeg"],
    ["photo.jpg", "image/jpeg"],
    ["photo.PNG", "image/png"],
    ["paper.pdf", "application/pdf"],
    ["code.wasm", "application/wasm"],
    ["archive.tar.gz", "application/gzip"],
  ];
  for (const [name, expected] of rows) {
    await t.step(name, () => assertEquals(contentType(name), expected));
  }
});

Deno.test("contentType() falls back to application/octet-stream when unknown", async (t) => {
  for (const name of ["Makefile", "file.unknownext", "trailing.", ".bashrc", ""]) {
    await t.step(JSON.stringify(name), () => {
      assertEquals(contentType(name), "application/octet-stream");
    });
  }
});
