/** Vision encoders and price-chart images: chart rendering, image decoding, JKX CNN, ResNet. */
export {};
