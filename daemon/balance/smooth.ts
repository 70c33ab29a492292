/**
 * Smooth weighted round robin, the rule nginx uses and both `roundrobin` (live weights) and
 * `static-rr` (a cycle computed once per pool) are built on.
 *
 * Every step adds each participating server's weight to its `current` value, chooses the server
 * with the highest `current` (the first one on a tie) and takes the total weight off it. Over any
 * run of W = sum(weights) steps from an all-zero state each server is chosen exactly `weight` times
 * and the state is all-zero again, and the choices are spread out rather than bunched: weights
 * 5,1,1 give a a b a c a a.
 */

/**
 * One step over positions 0..weights.length-1; a weight <= 0 means "not taking part this step"
 * (its `current` is left alone). Returns the chosen position, or -1 when nobody takes part.
 */
export function smoothStep(weights: Float64Array, current: Float64Array): number {
  let total = 0;
  let best = -1;
  let bestCurrent = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (w <= 0) continue;
    const c = current[i] + w;
    current[i] = c;
    total += w;
    if (best < 0 || c > bestCurrent) {
      best = i;
      bestCurrent = c;
    }
  }
  if (best >= 0) current[best] -= total;
  return best;
}
