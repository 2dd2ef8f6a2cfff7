import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TOOLKIT_ROOT } from "../project/paths";
import { COMMANDS, commandTable, exitCodeTable, type CommandName } from "./definitions";
import { usageText } from "./run";

/**
 * The parts of the documentation that say what the commands are: generated from their
 * definitions, between `<!-- generated: <name> -->` markers, so they cannot drift (a test
 * compares; `npm run docs` rewrites them).
 */
export const GENERATED_BLOCKS: Array<{ file: string; name: string; body: () => string }> = [
  { file: "README.md", name: "commands", body: commandTable },
  { file: "docs/reference.md", name: "exit-codes", body: exitCodeTable },
  {
    file: "docs/reference.md",
    name: "command-help",
    body: () =>
      (Object.keys(COMMANDS) as CommandName[])
        .map((name) => `### ${name}\n\n\`\`\`\n${usageText(name)}\n\`\`\``)
        .join("\n\n"),
  },
];

const markers = (name: string) => [`<!-- generated: ${name} -->`, `<!-- /generated: ${name} -->`] as const;

/** `text` with the block `name` replaced by `body`; an error when the markers are missing. */
export function withBlock(text: string, name: string, body: string): string {
  const [start, end] = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${start} … ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/** Each documentation file as it should be, and as it is. */
export function documentationFiles(): Array<{ file: string; expected: string; actual: string }> {
  const files = [...new Set(GENERATED_BLOCKS.map((block) => block.file))];
  return files.map((file) => {
    const actual = readFileSync(join(TOOLKIT_ROOT, file), "utf8");
    const expected = GENERATED_BLOCKS.filter((block) => block.file === file).reduce(
      (text, block) => withBlock(text, block.name, block.body()),
      actual,
    );
    return { file, expected, actual };
  });
}
