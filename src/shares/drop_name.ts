/** Extensions kept together when numbering a name (`a.tar.gz` → `a (1).tar.gz`). */
const DOUBLE_EXTENSION = /\.tar\.(?:gz|bz2|xz|zst|lz|lzma|Z)$/;

/**
 * The `n`th candidate name for an upload into a drop box: the name itself
 * for 0, then `name (1).ext`, `name (2).ext`, … A name without an extension
 * gets the number at its end.
 *
 * @example
 * ```ts
 * numberedName("report.pdf", 2); // "report (2).pdf"
 * numberedName("README", 1); // "README (1)"
 * ```
 */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const double = DOUBLE_EXTENSION.exec(name);
  const dot = double ? double.index : name.lastIndexOf(".");
  // A leading dot starts the name, not an extension.
  const split = dot > 0 ? dot : name.length;
  return `${name.slice(0, split)} (${n})${name.slice(split)}`;
}
