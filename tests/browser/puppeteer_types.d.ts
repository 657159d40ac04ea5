/**
 * The small part of puppeteer-core's API the browser tests use.
 *
 * puppeteer-core's own declarations pull the newest `@types/node` into the
 * type check (through `@types/yauzl`), which changes the `node:assert`
 * types `tests/helpers/assert.ts` relies on; `browser.ts` points the import
 * at this file with `@ts-types` instead.
 * @module
 */

export interface LaunchOptions {
  executablePath: string;
  args: string[];
  defaultViewport?: { width: number; height: number } | null;
  protocolTimeout?: number;
}

export interface HTTPRequest {
  url(): string;
  headers(): Record<string, string>;
  failure(): { errorText: string } | null;
}

export interface HTTPResponse {
  url(): string;
  status(): number;
  headers(): Record<string, string>;
  request(): HTTPRequest;
}

export interface ConsoleMessage {
  type(): string;
  text(): string;
}

export interface ClickOptions {
  count?: number;
}

export interface ElementHandle {
  uploadFile(...paths: string[]): Promise<void>;
  click(options?: ClickOptions): Promise<void>;
  type(text: string): Promise<void>;
}

export interface Keyboard {
  press(key: string): Promise<void>;
  type(text: string): Promise<void>;
}

/** A `confirm()`, `alert()` or `prompt()` the page opened. */
export interface Dialog {
  message(): string;
  accept(text?: string): Promise<void>;
  dismiss(): Promise<void>;
}

/** A raw Chrome DevTools Protocol session. */
export interface CDPSession {
  send(method: string, params?: Record<string, unknown>): Promise<unknown>;
}

export interface Page {
  goto(url: string): Promise<unknown>;
  goBack(): Promise<unknown>;
  url(): string;
  click(selector: string, options?: ClickOptions): Promise<void>;
  type(selector: string, text: string): Promise<void>;
  $(selector: string): Promise<ElementHandle | null>;
  waitForSelector(
    selector: string,
    options?: { hidden?: boolean; visible?: boolean; timeout?: number },
  ): Promise<unknown>;
  /** An expression evaluated in the page until it is truthy. */
  waitForFunction(expression: string, options: { timeout?: number }): Promise<unknown>;
  waitForFunction<A extends unknown[]>(
    fn: (...args: A) => unknown,
    options: { timeout?: number },
    ...args: A
  ): Promise<unknown>;
  waitForNavigation(): Promise<unknown>;
  evaluate<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>>;
  keyboard: Keyboard;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  setViewport(
    viewport: { width: number; height: number; isMobile?: boolean; hasTouch?: boolean },
  ): Promise<void>;
  emulateMediaFeatures(features: { name: string; value: string }[]): Promise<void>;
  setJavaScriptEnabled(enabled: boolean): Promise<void>;
  /** Throughputs in bytes per second, -1 for no limit. */
  setOfflineMode(enabled: boolean): Promise<void>;
  reload(): Promise<unknown>;
  emulateNetworkConditions(
    conditions: { download: number; upload: number; latency: number } | null,
  ): Promise<void>;
  on(event: "console", handler: (message: ConsoleMessage) => void): Page;
  on(event: "pageerror", handler: (error: Error) => void): Page;
  on(event: "requestfailed", handler: (request: HTTPRequest) => void): Page;
  on(event: "response", handler: (response: HTTPResponse) => void): Page;
  on(event: "dialog", handler: (dialog: Dialog) => void): Page;
  bringToFront(): Promise<void>;
  createCDPSession(): Promise<CDPSession>;
  authenticate(credentials: { username: string; password: string } | null): Promise<void>;
  close(): Promise<void>;
}

export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

declare const puppeteer: { launch(options: LaunchOptions): Promise<Browser> };
export default puppeteer;
