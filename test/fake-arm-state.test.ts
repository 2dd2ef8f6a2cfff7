import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deployedIdentities, deployedState } from "../scripts/fake-arm/state";
import { loadStack } from "../src/stack/load";
import { OfferCache } from "../src/offer/cache";
import { REPO_ROOT } from "./helpers/project";
import { DEPLOYED_STACKS, deployedFixture } from "./helpers/deployed";

// `npm run fake-arm` derives any stack's Azure from the toolkit's own model; the tests serve
// literal bodies computed independently (Python). Both must describe the same Azure.
describe("npm run fake-arm's Azure", () => {
  it.each(DEPLOYED_STACKS)("is the literal deployed state of %s", (name) => {
    const stack = loadStack(join(REPO_ROOT, "stacks", `Pulumi.${name}.yaml`), new OfferCache()).stack!;
    expect({ ...deployedState(stack), ...deployedIdentities(stack) }).toEqual(deployedFixture(name));
  });
});
