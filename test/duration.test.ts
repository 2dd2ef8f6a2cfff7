import { describe, expect, it } from "vitest";
import { durationSeconds } from "../src/azure/duration";

describe("ISO 8601 durations as Lighthouse writes them", () => {
  it.each([
    ["PT30M", 1_800],
    ["PT8H", 28_800],
    ["PT1H30M", 5_400],
    ["PT1M30S", 90],
    ["PT0.5S", 0.5],
    ["P1D", 86_400],
    ["P1DT2H", 93_600],
  ])("%s is %d seconds", (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each(["P", "PT", "P1DT", "8H", "PT8h", "PT-1H", "P1W", "", "PT1.S"])("%j is no duration", (text) => {
    expect(durationSeconds(text)).toBeUndefined();
  });
});
