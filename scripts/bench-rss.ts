/** Preloaded by the bench (`node --require`): the process's peak RSS (KiB), written on exit to $BENCH_RSS_FILE. */
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
