//! The committed headers must be what build.rs generates from the sources: building rewrites
//! include/*.h, so any difference from the committed version shows up in `git diff`.
use std::process::Command;

#[test]
fn headers_match_sources() {
    let root = env!("CARGO_MANIFEST_DIR");
    let inside = Command::new("git").args(["-C", root, "rev-parse", "--is-inside-work-tree"]).output();
    if !matches!(inside, Ok(o) if o.status.success()) {
        eprintln!("not a git checkout: drift check skipped");
        return;
    }
    let out = Command::new("git").args(["-C", root, "diff", "--stat", "--exit-code", "--", "include/"]).output().unwrap();
    assert!(
        out.status.success(),
        "include/ differs from the committed headers; commit the regenerated headers:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let untracked = Command::new("git").args(["-C", root, "ls-files", "--others", "--exclude-standard", "--", "include/"]).output().unwrap();
    assert!(untracked.stdout.is_empty(), "untracked generated headers: {}", String::from_utf8_lossy(&untracked.stdout));
}
