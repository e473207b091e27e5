/** Training loop, optimizers, schedules, freezing, checkpoints, adversarial training and metrics. */
export {};
