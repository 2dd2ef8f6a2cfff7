/**
 * ISO 8601 durations as Lighthouse uses them (`PT30M`, `PT8H`, `P1DT2H`): days and time parts.
 * Years and months are refused: their length in hours is not fixed.
 */
const DURATION_PATTERN = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Seconds in an ISO 8601 duration, or undefined when the text is not one. */
export function durationSeconds(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match || text === "P" || text.endsWith("T")) return undefined;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86_400 + Number(hours ?? 0) * 3_600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}
