import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OfferCache } from "../src/offer/cache";
import { tempProject } from "./helpers/project";

describe("OfferCache: the file system is asked once per run", () => {
  it("locates an offer path once per project root (a file removed meanwhile is still the run's answer)", () => {
    const [first, second] = [tempProject(), tempProject()];
    rmSync(join(second, "offers", "contoso-operations.yaml"));
    const offers = new OfferCache();
    const located = offers.locate(first, "offers/contoso-operations.yaml");
    expect(located).toEqual({ file: join(first, "offers", "contoso-operations.yaml"), exists: true });
    // The same root and path: the same answer, not asked again.
    rmSync(join(first, "offers", "contoso-operations.yaml"));
    expect(offers.locate(first, "offers/contoso-operations.yaml")).toBe(located);
    // Another root is another question.
    expect(offers.locate(second, "offers/contoso-operations.yaml")).toEqual({
      file: join(second, "offers", "contoso-operations.yaml"),
      exists: false,
    });
    expect(offers.locate(first, "../outside.yaml")).toEqual({
      problem:
        "'../outside.yaml' leads outside the project (through '..', an absolute path or a symbolic link); files must be inside it",
    });
  });

  it("finds a folder's project root once per folder", () => {
    const root = tempProject();
    mkdirSync(join(root, "nested", "stacks"), { recursive: true });
    const offers = new OfferCache();
    expect(offers.projectRootOf(join(root, "nested", "stacks"))).toBe(root);
    writeFileSync(join(root, "nested", "Pulumi.yaml"), "name: nested\n");
    expect(offers.projectRootOf(join(root, "nested", "stacks"))).toBe(root);
    expect(new OfferCache().projectRootOf(join(root, "nested", "stacks"))).toBe(join(root, "nested"));
  });
});

describe("OfferCache.nearName: the offer file a missing path most likely meant", () => {
  const project = () =>
    tempProject({
      "offers/contoso-operations.json": "{}",
      "offers/fabrikam-ops/offer.yaml": "name: in a folder\n",
      "offers/team/fabrikam.yaml": "name: y\n",
    });

  it.each([
    // One letter off: the YAML file beside where the path leads, written as the stack writes paths.
    ["offers/contoso-operation.yaml", "offers/contoso-operations.yaml"],
    ["offers/team/fabrikam.yml", "offers/team/fabrikam.yaml"],
    ["offers/team/fabrikan.yaml", "offers/team/fabrikam.yaml"],
    // Neither a JSON file, a folder, nor a far name is offered.
    ["offers/contoso-operations.jsn", "offers/contoso-operations.yaml"],
    ["offers/something-else-entirely.yaml", undefined],
    ["offers/nowhere/contoso-operations.yaml", undefined],
    ["../outside.yaml", undefined],
  ])("%s → %s", (written, expected) => {
    expect(new OfferCache().nearName(project(), written)).toBe(expected);
  });

  it("does not suggest a folder named like the file", () => {
    expect(new OfferCache().nearName(project(), "offers/fabrikam-ops.yaml")).toBeUndefined();
  });
});
