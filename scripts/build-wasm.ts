/**
 * `npx tsx scripts/build-wasm.ts`: assembles every WebAssembly text source listed in
 * scripts/lib/wasm.ts and writes its bytes into the generated TypeScript module beside it.
 * Run it (`npm run build:wasm`) after editing a .wat file; the test suite fails until you do.
 */
import { writeFileSync } from "node:fs";
import { WASM_SOURCES, assembleWat, renderModule } from "./lib/wasm";

async function main(): Promise<void> {
  for (const source of WASM_SOURCES) {
    const bytes = await assembleWat(source.wat);
    writeFileSync(source.out, renderModule(source, bytes));
    console.log(`${source.wat} → ${source.out} (${bytes.length} bytes)`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
