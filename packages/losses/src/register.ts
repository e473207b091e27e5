// Registers every finmm loss in core's registry as a component of kind 'loss', with its zod schema and examples.
import { registry as globalRegistry, type Registry } from '@finmm/core';
import { z } from 'zod';
import { BceLoss } from './bce.js';
import { CrossEntropyLoss } from './cross-entropy.js';
import { FocalLoss } from './focal.js';
import { HingeLoss } from './hinge.js';
import { HuberLoss } from './huber.js';
import { MseLoss } from './mse.js';

const crossEntropySchema = z.object({
  type: z.literal('loss/cross-entropy'),
  /** Weight of each class by index; default all 1. */
  classWeights: z.array(z.number().positive()).min(2).optional(),
  /** Label smoothing epsilon in [0, 1). */
  labelSmoothing: z.number().min(0).lt(1).default(0),
});

const bceSchema = z.object({
  type: z.literal('loss/bce'),
  /** Weight of positive examples (PyTorch's pos_weight). */
  posWeight: z.number().positive().default(1),
});

const focalSchema = z.object({
  type: z.literal('loss/focal'),
  /** Focusing parameter. */
  gamma: z.number().min(0).default(2),
  /** Sigmoid form: a number in [0, 1]; softmax form: one weight per class; null: none. */
  alpha: z.union([z.number().min(0).max(1), z.array(z.number().positive()).min(2), z.null()]).default(null),
});

const mseSchema = z.object({ type: z.literal('loss/mse') });

const huberSchema = z.object({
  type: z.literal('loss/huber'),
  /** Switch point from quadratic to linear. */
  delta: z.number().positive().default(1),
});

const hingeSchema = z.object({
  type: z.literal('loss/hinge'),
  /** Required margin. */
  margin: z.number().positive().default(1),
});

/** The loss types this package registers. */
export const LOSS_TYPES = ['loss/bce', 'loss/cross-entropy', 'loss/focal', 'loss/hinge', 'loss/huber', 'loss/mse'] as const;

/** Registers the losses in `target` (core's process-wide registry by default); a second call is a no-op. */
export function registerLosses(target: Registry = globalRegistry): void {
  if (target.get('loss/cross-entropy') !== undefined) return;
  target.register({
    kind: 'loss',
    type: 'loss/cross-entropy',
    description: 'softmax cross-entropy on class logits, with class weights and label smoothing',
    schema: crossEntropySchema,
    build: (c) => new CrossEntropyLoss({ labelSmoothing: c.labelSmoothing, ...(c.classWeights ? { classWeights: c.classWeights } : {}) }),
    examples: [{ type: 'loss/cross-entropy' }, { type: 'loss/cross-entropy', classWeights: [1, 2, 0.5], labelSmoothing: 0.1 }],
  });
  target.register({
    kind: 'loss',
    type: 'loss/bce',
    description: 'binary cross-entropy with logits, for binary and multi-label heads',
    schema: bceSchema,
    build: (c) => new BceLoss({ posWeight: c.posWeight }),
    examples: [{ type: 'loss/bce' }, { type: 'loss/bce', posWeight: 3 }],
  });
  target.register({
    kind: 'loss',
    type: 'loss/focal',
    description: 'focal loss (Lin et al. 2017), sigmoid form for one output, softmax form for several',
    schema: focalSchema,
    build: (c) => new FocalLoss({ gamma: c.gamma, alpha: c.alpha }),
    examples: [{ type: 'loss/focal' }, { type: 'loss/focal', gamma: 1, alpha: 0.25 }, { type: 'loss/focal', alpha: [1, 2, 1] }],
  });
  target.register({
    kind: 'loss',
    type: 'loss/mse',
    description: 'mean squared error for regression heads',
    schema: mseSchema,
    build: () => new MseLoss(),
    examples: [{ type: 'loss/mse' }],
  });
  target.register({
    kind: 'loss',
    type: 'loss/huber',
    description: 'Huber (smooth L1) loss for regression heads',
    schema: huberSchema,
    build: (c) => new HuberLoss({ delta: c.delta }),
    examples: [{ type: 'loss/huber' }, { type: 'loss/huber', delta: 0.5 }],
  });
  target.register({
    kind: 'loss',
    type: 'loss/hinge',
    description: 'hinge loss: binary on one output, Crammer-Singer on several',
    schema: hingeSchema,
    build: (c) => new HingeLoss({ margin: c.margin }),
    examples: [{ type: 'loss/hinge' }, { type: 'loss/hinge', margin: 0.5 }],
  });
}
