//! UDP components, from C.
mod common;

#[test]
fn udp_node() {
    let out = common::run_c("udp_node", &[]);
    assert!(out.contains("udp_node:") && out.contains(" 0 failed"), "{out}");
}
