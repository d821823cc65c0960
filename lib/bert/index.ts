/** The BERT course pipeline's public API (re-exports only). */
export * from './model.js';
export * from './dataset.js';
export * from './collate.js';
export * from './tokenizer/index.js';
export * from './corpus.js';
export * from './prepare.js';
export * from './train.js';
export * from './evaluate.js';
export * from './predict.js';
export * from './checkpoint.js';
