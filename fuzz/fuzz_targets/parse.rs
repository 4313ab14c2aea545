#![no_main]
//! See `dockerfile_lsp::robustness::check_parse` for what this target checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dockerfile_lsp::robustness::check_parse(data);
});
