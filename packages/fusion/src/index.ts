/** Fusion of modality embeddings (concat, gated, attention, late) and the model builder. */
export {};
