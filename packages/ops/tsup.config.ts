// The shared build settings: ../../tsup.base.ts.
export { default } from '../../tsup.base';
