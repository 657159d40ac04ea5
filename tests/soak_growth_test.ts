import { judgeGrowth } from "./soak/growth.ts";
import { malformedRequest, random } from "./soak/malformed_requests.ts";
import { assertEquals, assertOk } from "./helpers/assert.ts";

Deno.test("judgeGrowth() tells a plateau from steady growth", async (t) => {
  const limits = { ratio: 1.5, slack: 10 };
  const rows: [string, number[], boolean][] = [
    ["a plateau after warm-up", [10, 50, 52, 51, 53, 52, 51, 52], true],
    ["a spike in the last quarter only", [50, 50, 50, 50, 50, 50, 50, 90], true],
    ["within the slack", [5, 5, 5, 5, 5, 5, 14, 14], true],
    ["a steady climb", [50, 60, 70, 80, 90, 100, 110, 120], false],
  ];
  for (const [name, samples, bounded] of rows) {
    await t.step(name, () => assertEquals(judgeGrowth(samples, limits).bounded, bounded));
  }
});

Deno.test("malformedRequest() is deterministic for a seed and never empty", () => {
  const a = random(7);
  const b = random(7);
  for (let i = 0; i < 200; i++) {
    const request = malformedRequest(a);
    assertEquals(request, malformedRequest(b));
    assertOk(request.length > 0);
  }
});
