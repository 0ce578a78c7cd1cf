#![no_main]
// One scratch directory per fuzzing process.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("pgrepl-fuzz-lint-{}", std::process::id()));
    pgrepl::fuzz::lint_tree(data, &dir);
});
