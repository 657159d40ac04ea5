import { contentDisposition } from "../src/http/content_disposition.ts";
import { assertEquals } from "./helpers/assert.ts";

Deno.test("contentDisposition() gives an ASCII fallback and an RFC 8187 UTF-8 name", () => {
  const cases: [string, string][] = [
    ["a.txt", `attachment; filename="a.txt"; filename*=UTF-8''a.txt`],
    [
      "it's (1)*.txt",
      `attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`,
    ],
    [
      "ünï ✓.txt",
      `attachment; filename="_n_ _.txt"; filename*=UTF-8''%C3%BCn%C3%AF%20%E2%9C%93.txt`,
    ],
    [`q"b\\%.txt`, `attachment; filename="q_b__.txt"; filename*=UTF-8''q%22b%5C%25.txt`],
  ];
  for (const [name, expected] of cases) assertEquals(contentDisposition(name), expected, name);
});
