// @ts-types="@types/qrcode"
import QRCode from "qrcode";

/**
 * A QR code of `text` as a standalone SVG document, drawn on the server
 * (no request leaves it): dark modules on white with a quiet zone, error
 * correction level M, scaled by its `viewBox`.
 *
 * @example
 * ```ts
 * await qrSvg("https://files.example/_/s/…/"); // "<svg xmlns=…"
 * ```
 */
export async function qrSvg(text: string): Promise<string> {
  return await QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
}
