/**
 * `attachment` with an ASCII fallback name and the RFC 8187 UTF-8 name
 * (RFC 6266), so every browser saves the file under its real name.
 */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${extValue(name)}`;
}

/** RFC 8187 value chars: `encodeURIComponent` also leaves `'()*`, which are not attr-chars. */
function extValue(name: string): string {
  return encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
