/** `nn.Parameter`: defined in `../parameter.ts` (below nn, so serialization can use it); re-exported here. */
export { Parameter, isParameter } from '../parameter.js';
