/**
 * `attachment` with an ASCII fallback name and the RFC 8187 UTF-8 name
 * (RFC 6266), so every browser saves the file under its real name.
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
