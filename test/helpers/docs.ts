import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "./project";

/**
 * Output shown in the docs is what the tools print: a test that runs what a page shows checks
 * that every line of the page's excerpt appears in the output, in order.
 */
export const page = (file: string) => readFileSync(join(REPO_ROOT, "docs", file), "utf8");

/** The first fenced block without a language (an output, not commands) after `marker` in `text`. */
export function blockAfter(text: string, marker: string): string[] {
  const from = text.indexOf(marker);
  expect(from, `docs marker ${marker}`).toBeGreaterThanOrEqual(0);
  const lines = text.slice(from).split("\n");
  let fence: string | undefined;
  let block: string[] = [];
  for (const line of lines) {
    if (fence === undefined && line.startsWith("```")) {
      fence = line;
      block = [];
    } else if (fence !== undefined && line === "```") {
      if (fence === "```") return block;
      fence = undefined;
    } else if (fence !== undefined) block.push(line);
  }
  throw new Error(`no output block after ${marker}`);
}

/** A shown line as a test of a printed one: "…" inside it stands for any text. */
function matcher(shown: string): (line: string) => boolean {
  if (!shown.includes("…")) return (line) => line === shown;
  const pattern = new RegExp(
    `^${shown
      .split("…")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return (line) => line === shown || pattern.test(line);
}

/** Every shown line appears in `output`, in order; "…" lines stand for any number of lines, "…" in a line for any text. */
export function shownIn(shown: string[], output: string): string[] {
  const lines = output.split("\n");
  let at = 0;
  const missing: string[] = [];
  for (const line of shown.filter((item) => item.trim() !== "…")) {
    const matches = matcher(line);
    const found = lines.findIndex((candidate, index) => index >= at && matches(candidate));
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}
