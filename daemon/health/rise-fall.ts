/**
 * HAProxy's health counter (src/check.c, set_server_check_status), as one pure function per outcome.
 *
 * `health` runs from 0 to rise+fall-1; a server is up while health >= rise. A passed check adds one, and
 * reaching rise jumps to the maximum (so a recovered server needs `fall` failures to go down again). A
 * failed check subtracts one while health > rise; at or below rise it drops to 0 and the server goes down.
 * A checked server starts at health = rise (shown `UP 1/<fall>`), so one failure at start marks it down.
 */

export interface HealthParams {
  readonly rise: number;
  readonly fall: number;
}

export type HealthTransition = 'none' | 'up' | 'down';

export interface HealthStep {
  readonly health: number;
  readonly transition: HealthTransition;
}

/** The health counter's maximum: a server at this value shows a plain `UP`. */
export function maxHealth(p: HealthParams): number {
  return p.rise + p.fall - 1;
}

/** A passed check. `isUp` is the server's operational state before the check. */
export function checkPassed(health: number, isUp: boolean, p: HealthParams): HealthStep {
  let h = health;
  const max = maxHealth(p);
  if (h < max) {
    h++;
    if (h >= p.rise) h = max;
  }
  return { health: h, transition: !isUp && h >= p.rise ? 'up' : 'none' };
}

/** A failed check. */
export function checkFailed(health: number, isUp: boolean, p: HealthParams): HealthStep {
  if (health > p.rise) return { health: health - 1, transition: 'none' };
  return { health: 0, transition: isUp ? 'down' : 'none' };
}

/**
 * Passive health (`observe`): what `on-error` does to the counter before it records a failure.
 * `sudden-death` leaves one check before down, `mark-down` downs at once; both then count as one failure.
 * `fastinter` changes nothing but the schedule.
 */
export function onErrorHealth(health: number, mode: 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down', p: HealthParams): { health: number; fail: boolean } {
  switch (mode) {
    case 'fastinter':
      return { health, fail: false };
    case 'fail-check':
      return { health, fail: true };
    case 'sudden-death':
      return { health: health > p.rise ? p.rise + 1 : health, fail: true };
    case 'mark-down':
      return { health: p.rise, fail: true };
  }
}

/**
 * The visible health fraction HAProxy appends to a status: `UP x/y` while up but failing
 * (x = health-rise+1, y = fall), `DOWN x/y` while down but passing (x = health, y = rise); '' otherwise.
 */
export function healthFraction(health: number, isUp: boolean, p: HealthParams): string {
  if (isUp) return health < maxHealth(p) ? ` ${health - p.rise + 1}/${p.fall}` : '';
  return health > 0 ? ` ${health}/${p.rise}` : '';
}

/**
 * The next check interval (srv_getinter): `inter` at full health, `downinter` when down with health 0,
 * `fastinter` while moving between states.
 */
export function nextInterval(health: number, isUp: boolean, p: HealthParams & { inter: number; fastinter: number; downinter: number }): number {
  if (health === maxHealth(p)) return p.inter;
  if (!isUp && health === 0) return p.downinter;
  return p.fastinter;
}
