import { renderPageHead } from "../src/html/page_head.ts";
import { assertEquals } from "./helpers/assert.ts";

Deno.test("renderPageHead() lists the page's stylesheets in order, then its script", () => {
  assertEquals(
    renderPageHead({ titleHtml: "A &amp; B", styles: ["style.css", "share.css"], script: "x.js" }),
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>A &amp; B · Sluice</title>
<link rel="icon" href="/_/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/_/static/style.css">
<link rel="stylesheet" href="/_/static/share.css">
<script type="module" src="/_/static/x.js"></script>
</head>`,
  );
});

Deno.test("renderPageHead() leaves the script out when there is none", () => {
  const head = renderPageHead({ titleHtml: "T", styles: ["style.css"] });
  assertEquals(head.includes("<script"), false);
  assertEquals(head.endsWith(`<link rel="stylesheet" href="/_/static/style.css">\n</head>`), true);
});
