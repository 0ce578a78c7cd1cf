#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pgrepl::fuzz::hba(data));
