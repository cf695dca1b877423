//! The whole-path benchmark in the browser: the same `sim::bench::run` as `sandbox bench`, timed
//! with `performance.now()` and reporting wasm linear memory. A benchmark, not a test: `make bench-web`
//! runs it (sizes from BENCH_NODES / BENCH_PODS at build time) and it asserts nothing about speed.
#![cfg(target_arch = "wasm32")]

use k8s_sandbox::sim::bench;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn size(var: Option<&str>, default: usize) -> usize {
    var.and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[wasm_bindgen_test]
fn whole_path_benchmark() {
    let nodes = size(option_env!("BENCH_NODES"), 20);
    let pods = size(option_env!("BENCH_PODS"), 300);
    let perf = web_sys::window().and_then(|w| w.performance()).expect("a browser window has performance");
    let clock = move || perf.now();
    let memory = || {
        let mem: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
        mem.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as u64
    };
    let result = bench::run(nodes, pods, 1, &clock, &memory);
    console_log!("{}", result.line());
    assert_eq!(result.running, result.pods, "the benchmark should end with every pod Running");
}
