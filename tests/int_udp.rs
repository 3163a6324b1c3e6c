//! UDP components, from C.
mod common;

#[test]
fn udp_node() {
    let out = common::run_c("udp_node", &[]);
    assert!(out.contains("udp_node:") && out.contains(" 0 failed"), "{out}");
}

#[test]
fn udp_server_client() {
    let out = common::run_c("udp_cs", &[]);
    assert!(out.contains("udp_cs:") && out.contains(" 0 failed"), "{out}");
}

#[test]
fn udp_cast() {
    let out = common::run_c("udp_cast", &[]);
    assert!(out.contains("udp_cast:") && out.contains(" 0 failed"), "{out}");
}

#[test]
fn udp_arq() {
    let out = common::run_c("udp_arq", &[]);
    assert!(out.contains("udp_arq:") && out.contains(" 0 failed"), "{out}");
}

#[test]
fn udp_server_order_under_load() {
    let out = common::run_c("udp_order", &[]);
    assert!(out.contains("udp_order:") && out.contains(" 0 failed"), "{out}");
}
