//! The fuzz targets' checks (`fuzz/checks.rs`), run in CI without a fuzzer: over every input in
//! `fuzz/corpus/<target>/` (seeds, and inputs the fuzzer found that reach new code), and over a
//! fixed series of mutations of them, the same in every run. A long coverage-guided run is
//! `cargo fuzz run <target>` in `fuzz/` (see fuzz/README.md).
#[path = "../fuzz/checks.rs"]
mod checks;

use checks::Rng;
use std::path::Path;

fn corpus(name: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// One mutation of `input` (a byte changed, inserted or removed, a range repeated or dropped,
/// or a piece of `other` spliced in), as a fuzzer's first steps would make.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] ^= 1 << rng.below(8);
            }
            1 => v.insert(at, [0u8, b'\r', b'\n', b' ', b':', b'0', 0xFF, b'\t'][rng.below(8)]),
            2 if at < v.len() => {
                let n = rng.below(v.len() - at).min(16) + 1;
                v.drain(at..(at + n).min(v.len()));
            }
            3 if at < v.len() => {
                let n = (rng.below(v.len() - at) + 1).min(64);
                let piece = v[at..at + n].to_vec();
                v.splice(at..at, piece);
            }
            4 if !other.is_empty() => {
                let s = rng.below(other.len());
                let n = (rng.below(other.len() - s) + 1).min(128);
                v.splice(at..at, other[s..s + n].iter().copied());
            }
            _ => v.insert(at, rng.next() as u8),
        }
    }
    v.truncate(8192);
    v
}

fn run(name: &str, mutations: usize) {
    let check = checks::ALL.iter().find(|(n, _)| *n == name).unwrap().1;
    let inputs = corpus(name);
    assert!(!inputs.is_empty(), "fuzz/corpus/{name} is empty");
    for input in &inputs {
        check(input);
    }
    let mut rng = Rng(0x5EED ^ name.len() as u64);
    for i in 0..mutations {
        let a = &inputs[i % inputs.len()];
        let b = &inputs[rng.below(inputs.len())];
        let m = mutate(&mut rng, a, b);
        let r = std::panic::catch_unwind(|| check(&m));
        if r.is_err() {
            let path = std::env::temp_dir().join(format!("{name}-mutation-{i}"));
            std::fs::write(&path, &m).unwrap();
            panic!("{name}: mutation {i} failed; the input is in {} (replay: cargo fuzz run {name} that-file)", path.display());
        }
    }
}

#[test]
fn http_parser() {
    run("http_parser", 20_000);
}

#[test]
fn ws_decoder() {
    run("ws_decoder", 20_000);
}

#[test]
fn pack_parser() {
    run("pack_parser", 20_000);
}

#[test]
fn arq_session() {
    run("arq_session", 20_000);
}

#[test]
fn kcp_input() {
    run("kcp_input", 20_000);
}

#[test]
fn cookie_text() {
    run("cookie_text", 20_000);
}

#[test]
fn cookie_file() {
    run("cookie_file", 2_000);
}

#[test]
fn url_split() {
    run("url_split", 20_000);
}

#[test]
fn codecs() {
    run("codecs", 20_000);
}

#[test]
fn decompress() {
    run("decompress", 20_000);
}
