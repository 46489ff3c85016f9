/**
 * Newton-MR's line search: Armijo backtracking on ‖g‖² with the unit step tried first, in the
 * shared implementation (core/newton/line-search.ts), which states the slope as ⟨Hp, g⟩.
 */
import type { ArmijoOutcome, ArmijoSettings } from '../../core/newton/line-search.js';

export { armijoBacktracking, type MeritTrial } from '../../core/newton/line-search.js';

/** Newton-MR always says whether the unit step comes first, and with which ρ'. */
export interface LineSearchSettings extends ArmijoSettings {
  unitStepFirst: boolean;
  rhoUnit: number;
}

export type LineSearchOutcome = ArmijoOutcome;
