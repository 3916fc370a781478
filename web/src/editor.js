// Monaco, bundled separately and imported on first use so the terminal is
// ready before the editor's megabytes load. Only the editor core and the
// YAML tokenizer: validation comes from kubeplay's own API decoder.

import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/languages/definitions/yaml/register.js';

self.MonacoEnvironment = {
  getWorker() {
    return new Worker(new URL('./editor.worker.js', import.meta.url), { type: 'module' });
  },
};

export { monaco };

export function createEditor(element, text, theme) {
  return monaco.editor.create(element, {
    value: text,
    language: 'yaml',
    theme,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
    tabSize: 2,
    insertSpaces: true,
    scrollBeyondLastLine: false,
  });
}
