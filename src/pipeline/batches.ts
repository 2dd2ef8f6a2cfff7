import { z } from "zod";
import { commandLineFile, STACK_NAME_PATTERN } from "../project/paths";
import { quote } from "../text";
import { readAtMost } from "../yaml/source";

/**
 * Fan-out for CI: affected stacks as matrix entries, sharded into batches when a fleet exceeds
 * what one matrix may hold. GitHub Actions runs at most 256 jobs per matrix; a job per batch
 * that calls a reusable workflow with its own matrix reaches 256 × 256 stacks per run.
 */

export const GITHUB_MATRIX_LIMIT = 256;

export interface MatrixEntry {
  stack: string;
  mode: string;
}

export interface Batch {
  name: string;
  stacks: MatrixEntry[];
}

/** More batches than the CI can run in one go: the pipeline must not silently drop stacks. */
export class BatchLimitError extends Error {}

/** Balanced batches of at most `size` entries (sizes differ by at most one), in order. */
export function batchesOf(entries: MatrixEntry[], size: number, maxBatches = GITHUB_MATRIX_LIMIT): Batch[] {
  const count = Math.ceil(entries.length / size);
  if (count > maxBatches) {
    throw new BatchLimitError(
      `${entries.length} stacks are affected: that is ${count} batches of at most ${size}, more than --max-batches ${maxBatches}. Raise --batch-size (GitHub allows ${GITHUB_MATRIX_LIMIT} jobs per matrix) or deploy in several runs (--mode, or a nearer --base).`,
    );
  }
  const batches: Batch[] = [];
  let start = 0;
  for (let index = 0; index < count; index++) {
    const length = Math.floor(entries.length / count) + (index < entries.length % count ? 1 : 0);
    batches.push({ name: `batch ${index + 1} of ${count}`, stacks: entries.slice(start, start + length) });
    start += length;
  }
  return batches;
}

/** An Azure Pipelines matrix leg name: letters, digits and _, starting with a letter, at most 100 characters. */
function legName(stack: string, taken: Set<string>): string {
  const base = /^[A-Za-z]/.test(stack)
    ? stack.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 90)
    : `s_${stack.replace(/[^A-Za-z0-9_]/g, "_")}`.slice(0, 90);
  let name = base;
  for (let suffix = 2; taken.has(name); suffix++) name = `${base}_${suffix}`;
  taken.add(name);
  return name;
}

/** Azure Pipelines' matrix object: a leg per stack, or a leg per batch (its stacks space-separated). */
export function azureMatrix(entries: MatrixEntry[], batches?: Batch[]): Record<string, Record<string, string>> {
  if (batches)
    return Object.fromEntries(
      batches.map((batch, index) => [
        `batch_${index + 1}`,
        { batch: String(index + 1), stacks: batch.stacks.map((entry) => entry.stack).join(" ") },
      ]),
    );
  const taken = new Set<string>();
  return Object.fromEntries(
    entries.map((entry) => [legName(entry.stack, taken), { stack: entry.stack, mode: entry.mode }]),
  );
}

/** A saved list that cannot be read back: the command's usage error. */
export class SavedListError extends Error {}

const SAVED_LIST_BYTES = 16 * 1024 * 1024;
const savedList = z.array(
  z.strictObject({ stack: z.string().regex(STACK_NAME_PATTERN), mode: z.enum(["onboarding", "managing", "invalid"]) }),
);

/** A list written by `affected --format json` (not batched), read back inside the project and bounded. */
export function readSavedList(
  projectRoot: string,
  written: string,
): Array<{ stack: string; mode: "onboarding" | "managing" | "invalid"; reasons: string[] }> {
  const located = commandLineFile(projectRoot, written);
  if ("problem" in located) throw new SavedListError(located.problem);
  let bytes: Buffer;
  try {
    bytes = readAtMost(located.file, SAVED_LIST_BYTES + 1);
  } catch (error) {
    throw new SavedListError(
      `cannot read ${quote(written)}: ${String((error as NodeJS.ErrnoException).code ?? error)}`,
    );
  }
  if (bytes.length > SAVED_LIST_BYTES) throw new SavedListError(`${quote(written)} is larger than 16 MiB`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new SavedListError(`${quote(written)} is not JSON`);
  }
  const result = savedList.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new SavedListError(
      `${quote(written)} is not a list saved by 'affected --format json': at ${issue.path.join(".") || "the top"}, ${issue.message}`,
    );
  }
  return result.data.map((entry) => ({ ...entry, reasons: [] }));
}
