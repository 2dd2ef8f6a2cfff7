import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { YamlSource } from "../src/yaml/source";
import { HOSTILE_OFFERS } from "../scripts/hostile-inputs";
import { REPO_ROOT } from "./helpers/project";

const yamlFiles = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(entry.name) ? [path] : [];
  });

const EDGE_CASES: Record<string, string> = {
  "keys that are not strings": "1: one\n1.5: float\ntrue: yes\n~: tilde\n.inf: infinite\n0x1F: hex\n",
  "empty values and an empty key": "a:\nb: ~\n? \n: nothing\nlist: [a, ]\n",
  "flow and block, nested": "a: {b: [1, 2, {c: d}], e: []}\nf:\n  - - g\n    - h\n  - {}\n",
  "scalars of every core type":
    "s: text\nq: 'quoted'\ni: 42\no: 0o17\nf: 1e3\nb: false\nn: null\nnan: .nan\nneg: -.inf\n",
  "an anchor no alias uses": "base: &base {a: 1}\nother: 2\n",
  aliases: "base: &base {a: [1, 2]}\nfirst: *base\nsecond: *base\nscalar: &s x\nagain: *s\n",
  "block scalars": "literal: |\n  line one\n  line two\nfolded: >-\n  folded\n  text\n",
};

/** yaml's own conversion, the oracle: the plain value must be exactly what `toJS` would make. */
const toJS = (text: string) => parseDocument(text, { uniqueKeys: false }).toJS({ maxAliasCount: 100 });

describe("the plain value of a YAML file", () => {
  const corpus: Array<[string, string]> = [
    ...["offers", "stacks", join("test", "fixtures")].flatMap((folder) =>
      yamlFiles(join(REPO_ROOT, folder)).map((file): [string, string] => [file, readFileSync(file, "utf8")]),
    ),
    ...Object.entries(EDGE_CASES),
    ...["thousands of authorizations, all duplicates", "one 1 MiB string"].map((name): [string, string] => [
      name,
      HOSTILE_OFFERS[name](),
    ]),
  ];

  it.each(corpus)("is what yaml's toJS makes: %s", (name, text) => {
    const { source, diagnostics } = YamlSource.parse(name, text);
    // The one corpus file with a repeated key is still read, the last value counting as in toJS.
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual(
      name.endsWith("11-one-hides-none.yaml")
        ? [
            "7:5 key 'role' is repeated (first at line 6): a map holds each key once, so remove one; the last one is checked",
          ]
        : [],
    );
    expect(source?.value).toEqual(toJS(text));
  });
});
