import { describe, expect, it } from "vitest";
import { azureMatrix, BatchLimitError, batchesOf } from "../src/pipeline/batches";

const fleet = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    stack: `customer-${String(index).padStart(4, "0")}`,
    mode: index % 5 === 0 ? "managing" : "onboarding",
  }));

describe("CI fan-out batches", () => {
  it("600 stacks: 3 balanced batches of 200 within GitHub's 256 jobs per matrix, every stack once and in order", () => {
    const stacks = fleet(600);
    const batches = batchesOf(stacks, 256);
    expect(batches.map((batch) => [batch.name, batch.stacks.length])).toEqual([
      ["batch 1 of 3", 200],
      ["batch 2 of 3", 200],
      ["batch 3 of 3", 200],
    ]);
    expect(batches.flatMap((batch) => batch.stacks)).toEqual(stacks);
    expect(batches[1].stacks[0]).toEqual({ stack: "customer-0200", mode: "managing" });
  });

  it("sizes differ by at most one; a fleet that fits is one batch; none for no stack", () => {
    expect(batchesOf(fleet(10), 4).map((batch) => batch.stacks.length)).toEqual([4, 3, 3]);
    expect(batchesOf(fleet(256), 256).map((batch) => batch.stacks.length)).toEqual([256]);
    expect(batchesOf(fleet(257), 256).map((batch) => batch.stacks.length)).toEqual([129, 128]);
    expect(batchesOf([], 256)).toEqual([]);
  });

  it("two levels of 256 hold 65,536 stacks; one more is refused, not dropped", () => {
    expect(batchesOf(fleet(65_536), 256)).toHaveLength(256);
    expect(() => batchesOf(fleet(65_537), 256)).toThrow(BatchLimitError);
    expect(() => batchesOf(fleet(65_537), 256)).toThrow(
      "65537 stacks are affected: that is 257 batches of at most 256, more than --max-batches 256.",
    );
  });

  it("Azure Pipelines legs: names of letters, digits and _ that start with a letter, unique, at most 100 characters", () => {
    const legs = azureMatrix([
      { stack: "fabrikam", mode: "onboarding" },
      { stack: "contoso-pipelines", mode: "onboarding" },
      { stack: "contoso.pipelines", mode: "managing" },
      { stack: "1st-customer", mode: "onboarding" },
      { stack: "x".repeat(120), mode: "onboarding" },
    ]);
    expect(Object.keys(legs)).toEqual([
      "fabrikam",
      "contoso_pipelines",
      "contoso_pipelines_2",
      "s_1st_customer",
      "x".repeat(90),
    ]);
    expect(legs.contoso_pipelines_2).toEqual({ stack: "contoso.pipelines", mode: "managing" });
    for (const name of Object.keys(legs)) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,99}$/);
    expect(azureMatrix(fleet(3), batchesOf(fleet(3), 2))).toEqual({
      batch_1: { batch: "1", stacks: "customer-0000 customer-0001" },
      batch_2: { batch: "2", stacks: "customer-0002" },
    });
  });
});
