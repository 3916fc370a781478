// Page entry: the JS boundary first (it sets globalThis.kubeplayBoundary),
// then the wasm app. A file, not an inline script: the page's CSP forbids
// inline scripts.
import * as boundary from './boundary.js';
globalThis.kubeplayBoundary = boundary;
const { default: init } = await import('../pkg/web.js');
await init();
