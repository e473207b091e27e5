// One numbering for the variable-name prefixes `<type>#<n>/` of fusions and heads.
import { InstanceCounter } from '@finmm/core';

/** Numbers every fusion and head instance of this process. */
export const fusionInstances = new InstanceCounter();
