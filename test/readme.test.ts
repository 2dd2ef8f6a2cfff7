import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { committedProject, REPO_ROOT, runCli } from "./helpers/project";

/**
 * The README is a front page: short, every documentation page one link away, and its tour's
 * commands, run as written on a fresh copy of the project, work.
 */
const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** `npm run <name> -- <args>` lines of the README's shell blocks, comments left out. */
const tourCommands = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((block) => block[1].split("\n"))
  .map((line) => line.replace(/#.*$/, "").trim())
  .filter((line) => line.startsWith("npm run "))
  .map((line) => {
    const [, name, args = ""] = /^npm run (\S+)(?: -- (.*))?$/.exec(line)!;
    return { line, name, args: args.split(/\s+/).filter(Boolean) };
  });

describe("README", () => {
  it("fits on a page: at most 200 lines", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(200);
  });

  it("links every documentation page, and every link leads to one", () => {
    const pages = readdirSync(join(REPO_ROOT, "docs"))
      .filter((file) => file.endsWith(".md"))
      .map((file) => `docs/${file}`)
      .sort();
    const linked = [
      ...new Set([...readme.matchAll(/\]\((docs\/[a-z-]+\.md)(?:#[a-z-]+)?\)/g)].map((match) => match[1])),
    ];
    expect(linked.sort()).toEqual(pages);
  });

  it("has the tour's commands", () => {
    expect(tourCommands.map((command) => command.line)).toEqual([
      "npm run validate",
      "npm run plan -- --stack fabrikam",
      "npm run matrix -- --out pages",
      "npm run validate",
      "npm run diff -- --stack all --base HEAD",
    ]);
  });

  it.each(tourCommands.map((command) => [command.line, command] as const))(
    "%s works on a fresh copy of the project",
    (_line, { name, args }) => {
      const result = runCli(name, args, committedProject());
      expect(result.status, result.stderr).toBe(0);
    },
    120_000,
  );
});

describe("docs", () => {
  const pages = [
    "README.md",
    ...readdirSync(join(REPO_ROOT, "docs"))
      .filter((file) => file.endsWith(".md"))
      .map((file) => `docs/${file}`),
  ];
  /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as '-'. */
  const anchor = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\w\- ]/g, "")
      .replace(/ /g, "-");
  const headings = (file: string) => {
    let fenced = false;
    const found = new Set<string>();
    for (const line of readFileSync(join(REPO_ROOT, file), "utf8").split("\n")) {
      if (line.startsWith("```")) fenced = !fenced;
      else if (!fenced && /^#{1,6} /.test(line)) found.add(anchor(line.replace(/^#+ /, "")));
    }
    return found;
  };

  it("every relative link leads to a file, and every #anchor to a heading there", () => {
    const broken: string[] = [];
    for (const file of pages) {
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(link)) continue;
        const [path, hash] = link.split("#");
        const target = path ? normalize(join(dirname(file), path)) : file;
        if (!existsSync(join(REPO_ROOT, target))) broken.push(`${file}: ${link} (no such file)`);
        else if (hash && target.endsWith(".md") && !headings(target).has(hash))
          broken.push(`${file}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
