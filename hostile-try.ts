import { parseOffer } from "./src/offer/load";
import { HOSTILE_OFFERS } from "./test/helpers/hostile";
for (const [name, make] of Object.entries(HOSTILE_OFFERS)) {
  const text = make();
  const start = performance.now();
  const r = parseOffer("h.yaml", text);
  const ms = performance.now() - start;
  const longest = Math.max(...r.diagnostics.map((d) => d.message.length));
  console.log(`${ms.toFixed(0).padStart(6)} ms  ${String(r.diagnostics.length).padStart(6)} diags  longest ${longest}  ${(text.length/1024).toFixed(0)}KiB  ${name}  | ${r.diagnostics[0]?.message.slice(0, 90)}`);
}
