/** Vision encoders and price-chart images: chart rendering, image decoding, JKX CNN, ResNet. */
import { registry } from '@finmm/core';
import { jkxCnnRegistration } from './encoders/jkx-cnn.js';
import { resnetRegistration } from './encoders/resnet.js';

export * from './chart/layout.js';
export * from './chart/bars.js';
export * from './chart/render.js';
export * from './chart/windows.js';
export * from './chart/png.js';
export * from './images/decode.js';
export * from './images/augment.js';
export * from './images/load.js';
export * from './encoders/jkx-cnn.js';
export * from './encoders/resnet.js';
export type { CommonArgs as VisionCommonArgs } from './encoders/common.js';
export type { NamedVariable } from '@finmm/core';
export { POOLINGS as VISION_POOLINGS, type Pooling as VisionPooling } from './layers/pool-projection.js';

/** Every vision encoder registration, in the order they are registered. */
export const visionRegistrations = [jkxCnnRegistration, resnetRegistration] as const;

registry.register(jkxCnnRegistration);
registry.register(resnetRegistration);
