//! The bindings to `web/src/boundary.js` (xterm.js, Monaco, clipboard),
//! which the page publishes as `globalThis.kubeplayBoundary`. The only
//! place kubeplay's Rust meets JavaScript libraries.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = createTerminal)]
    pub fn create_terminal(element: &web_sys::Element, on_data: &Closure<dyn FnMut(String)>, on_resize: &Closure<dyn FnMut(u32)>, theme: &str);
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = terminalWrite)]
    pub fn terminal_write(text: &str);
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = terminalFocus)]
    pub fn terminal_focus();
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = terminalTheme)]
    pub fn terminal_theme(theme: &str);
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = fitTerminal)]
    pub fn fit_terminal();

    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = loadEditor)]
    pub fn load_editor(element: &web_sys::Element, text: &str, theme: &str, on_change: &Closure<dyn FnMut(String)>, on_apply: &Closure<dyn FnMut()>) -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = editorReady)]
    pub fn editor_ready() -> bool;
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = editorSetText)]
    pub fn editor_set_text(text: &str);
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = editorGetText)]
    pub fn editor_get_text() -> String;
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = editorTheme)]
    pub fn editor_theme(theme: &str);
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = editorSetMarkers)]
    pub fn editor_set_markers(lines: Vec<u32>, messages: Vec<String>);
    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = editorLayout)]
    pub fn editor_layout();

    #[wasm_bindgen(js_namespace = kubeplayBoundary, js_name = copyText)]
    pub fn copy_text(text: &str) -> js_sys::Promise;
}
