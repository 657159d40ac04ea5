const words = new Intl.Segmenter(undefined, { granularity: "word" });
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Splits text into LLM-like tokens without ever cutting a user-perceived
 * character: word segments (Unicode word boundaries, so Korean words and
 * emoji sequences stay whole) with the spaces and punctuation before a word
 * attached to it, and words longer than `maxGraphemes` cut into runs of
 * whole grapheme clusters. Joining the tokens gives back the text.
 *
 * @example
 * ```ts
 * tokenize("Hi, 세계 👋🏽"); // ["Hi", ",", " 세계", " 👋🏽"]
 * ```
 */
export function tokenize(text: string, maxGraphemes = 6): string[] {
  const tokens: string[] = [];
  let prefix = "";
  for (const { segment, isWordLike } of words.segment(text)) {
    if (!isWordLike && /^\s+$/u.test(segment)) {
      prefix += segment;
      continue;
    }
    const clusters = Array.from(graphemes.segment(segment), (g) => g.segment);
    for (let i = 0; i < clusters.length; i += maxGraphemes) {
      tokens.push(prefix + clusters.slice(i, i + maxGraphemes).join(""));
      prefix = "";
    }
  }
  if (prefix !== "") tokens.push(prefix);
  return tokens;
}
