// Bundles the JS boundary with esbuild into ../static/dist. Run by
// scripts/build-web.sh.
import * as esbuild from 'esbuild';

const common = {
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  outdir: '../static/dist',
  loader: { '.ttf': 'file' },
  logLevel: 'warning',
  legalComments: 'linked',
};

await esbuild.build({
  ...common,
  entryPoints: { boundary: 'src/main.js' },
  external: ['../pkg/web.js'],
});
await esbuild.build({
  ...common,
  entryPoints: { editor: 'src/editor.js' },
});
await esbuild.build({
  ...common,
  entryPoints: { 'editor.worker': 'monaco-editor/editor/editor.worker.js' },
});
