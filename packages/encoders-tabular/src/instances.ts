// One numbering for the tabular encoders' variable-name prefixes `<type>#<n>/`.
import { InstanceCounter } from '@finmm/core';

/** Numbers every tabular encoder instance of this process. */
export const tabularInstances = new InstanceCounter();
