// Web-standard globals the browser-safe core may use (they exist in browsers and in Node).
// tsconfig.core.json has no DOM or Node library, so anything not declared here — Buffer,
// process, setTimeout, require — is a type error in the core. See CONTRIBUTING.md.

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};

/** Deep copy of a value (web standard, also in Node 17+). The simulated network delivers copies. */
declare function structuredClone<T>(value: T): T;

/**
 * The part of the WebAssembly JS API the core uses (src/protocol/crc32c-wasm.ts): synchronous
 * compilation of a small module, which browsers allow on the main thread below 4 KiB.
 */
declare namespace WebAssembly {
  interface Module {}
  var Module: { new (bytes: Uint8Array): Module };
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  var Instance: { new (module: Module, imports?: Record<string, unknown>): Instance };
  interface Memory {
    readonly buffer: ArrayBuffer;
  }
}
