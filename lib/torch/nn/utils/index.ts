export { clipGradNorm_, clipGradValue_ } from './clip-grad.js';
export * as rnn from './rnn.js';
