//! kubeplay in the browser: the yew app over the playground. This is the
//! only crate that touches `wasm_bindgen`, `JsValue` and the DOM; natively
//! it compiles to nothing.

#![cfg(target_arch = "wasm32")]

mod app;
mod diagram;
mod i18n;
mod js;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}

/// For tests and instructors: the full-state hash of the running session
/// (equal to `kubeplay --hash` over the same scenario natively).
#[wasm_bindgen(js_name = stateHash)]
pub fn state_hash() -> String {
    app::state_hash()
}
