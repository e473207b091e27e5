// One numbering for the light text encoders' variable-name prefixes `<type>#<n>/`.
import { InstanceCounter } from '@finmm/core';

/** Numbers every light text encoder instance of this process. */
export const lightInstances = new InstanceCounter();
