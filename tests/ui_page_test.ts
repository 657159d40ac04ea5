import { renderUiPage } from "../src/html/ui_page.ts";
import { assertEquals, assertOk } from "./helpers/assert.ts";

Deno.test("renderUiPage() wraps the content in the head and a root / title top bar", () => {
  const html = renderUiPage({
    title: "A & B",
    href: "/_/ab",
    bodyClass: "ab-page",
    styles: ["style.css"],
    script: "ab.js",
  }, "<main>content</main>\n");
  assertOk(html.startsWith("<!doctype html>\n"));
  assertOk(html.includes("<title>A &amp; B · Sluice</title>"));
  assertOk(html.includes(`<script type="module" src="/_/static/ab.js"></script>`));
  assertOk(html.includes(`<body class="ab-page">`));
  assertOk(html.includes(
    `<ol><li><a href="/">root</a></li><li><a href="/_/ab" aria-current="page">A &amp; B</a></li></ol>`,
  ));
  assertEquals(
    html.slice(html.indexOf("</header>")),
    "</header>\n<main>content</main>\n</body>\n</html>\n",
  );
});
