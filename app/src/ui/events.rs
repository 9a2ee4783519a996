//! DOM events widgets send to the host page (`rapport:<what-happened>`), documented with their payloads.

use leptos::web_sys::EventTarget;
use wasm_bindgen::JsValue;

/// The DOM event asking the host page's cart to add a product, with `{sku, quantity}`.
pub const ADD_TO_CART_EVENT: &str = "rapport:add-to-cart";

/// Sends the DOM event `name` from `target` with `detail` as a plain object. It bubbles and crosses shadow roots
/// (`composed`), so a listener on `window` of the host page hears it wherever the widget is mounted.
pub fn emit_event(target: &EventTarget, name: &str, detail: &[(&str, JsValue)]) {
    #[cfg(feature = "browser")]
    {
        let object = js_sys::Object::new();
        for (key, value) in detail {
            let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
        }
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&object);
        init.set_bubbles(true);
        init.set_composed(true);
        if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = target.dispatch_event(&event);
        }
    }
    #[cfg(not(feature = "browser"))]
    let _ = (target, name, detail);
}

/// Asks the host page's cart to add `quantity` of `sku` (see [`ADD_TO_CART_EVENT`]).
pub fn emit_add_to_cart(target: &EventTarget, sku: &str, quantity: i64) {
    emit_event(
        target,
        ADD_TO_CART_EVENT,
        &[
            ("sku", JsValue::from_str(sku)),
            ("quantity", JsValue::from_f64(quantity as f64)),
        ],
    );
}
