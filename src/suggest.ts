/** Levenshtein distance, case-insensitive: how many edits turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, j) => j);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = previous[j - 1] + (left[i - 1] === right[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[right.length];
}

/** Inputs longer than this get no suggestion: nothing we know is that long, and the work stays bounded. */
const MAX_SUGGESTION_INPUT = 100;

/** The candidate closest to `input`, when it is close enough to be what the user meant. */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  if (input.length > MAX_SUGGESTION_INPUT) return undefined;
  const budget = Math.max(2, Math.floor(input.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    // Lengths that differ by more than the budget cannot be within it.
    if (Math.abs(candidate.length - input.length) > budget) continue;
    const distance = editDistance(input, candidate);
    if (distance <= budget && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate ?? shortestWithWords(input, candidates);
}

const wordsOf = (text: string) => text.toLowerCase().split(/\s+/).filter(Boolean);

/**
 * For names of several words, a shortened or incomplete one: the shortest candidate in which
 * each word of `input` begins a word, in order ("Sentinel Responder" → "Microsoft Sentinel
 * Responder", "Virtual Machine Admin" → "Virtual Machine Administrator Login").
 */
function shortestWithWords(input: string, candidates: Iterable<string>): string | undefined {
  const words = wordsOf(input);
  if (words.length < 2) return undefined;
  let best: string | undefined;
  for (const candidate of candidates) {
    const candidateWords = wordsOf(candidate);
    let next = 0;
    for (const word of candidateWords) if (next < words.length && word.startsWith(words[next])) next++;
    if (next === words.length && (best === undefined || candidate.length < best.length)) best = candidate;
  }
  return best;
}

/** `; did you mean 'X'?` or nothing, for the end of an error message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closestMatch(input, candidates);
  return match ? `; did you mean '${match}'?` : "";
}
