//! Helpers shared by the engine's socket tests.

use super::component::ConnectArgs;
use std::time::{Duration, Instant};

/// Polls `f` until it holds, for up to 10 s (generous for loaded CI machines).
pub(crate) fn wait_until(mut f: impl FnMut() -> bool) -> bool {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

/// Where a test's client connects: 127.0.0.1:`port`.
pub(crate) fn to(port: u16) -> ConnectArgs<'static> {
    ConnectArgs { host: "127.0.0.1", port, extra: 0, local_addr: None, local_port: 0 }
}
