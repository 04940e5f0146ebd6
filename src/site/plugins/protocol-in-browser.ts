/**
 * Lets the site bundle src/protocol's codecs for the browser (the storage page's RecordBatch
 * explorer encodes batches with them).
 *
 * zstd-codec's emscripten binding mentions `require("fs")`, `require("path")` and
 * `require("crypto")` on a branch that runs only under Node; webpack 5 no longer polyfills Node
 * built-ins and would fail to resolve them, so they resolve to empty modules here. The zstd
 * WebAssembly itself is inlined in the binding's JS (a data: URI) and is loaded only when a page
 * calls initCodecs(), as its own chunk from the site: nothing is fetched from another host.
 */
import type { Plugin } from "@docusaurus/types";

export default function protocolInBrowser(): Plugin {
  return {
    name: "kafka-labs-protocol-in-browser",
    configureWebpack() {
      return { resolve: { fallback: { fs: false, path: false, crypto: false } } };
    },
  };
}
