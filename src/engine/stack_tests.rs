//! The protocol stack's seam proven over real sockets: a security layer (the toy one in
//! `stack.rs`) between socket and framing, a framing layer that switches and asks for a timer,
//! and a switch asked for from another thread.

use super::component::{Component, Role};
use super::conn::CloseReason;
use super::stack::{toy::Xor, Framing, Layer, SecurityFactory, Switch, Up};
use super::{ConnId, Events, Handled, Op};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};
use super::test_util::{to, wait_until};


/// Records events in order; echoes what it receives when `echo` is set.
#[derive(Default)]
struct Log {
    comp: OnceLock<Weak<Component>>,
    echo: bool,
    events: Mutex<Vec<String>>,
    data: Mutex<Vec<u8>>,
}

impl Events for Log {
    fn on_accept(&self, _id: ConnId, _c: usize) -> Handled {
        self.events.lock().unwrap().push("accept".into());
        Handled::Ok
    }
    fn on_connect(&self, _id: ConnId) -> Handled {
        self.events.lock().unwrap().push("connect".into());
        Handled::Ok
    }
    fn on_handshake(&self, _id: ConnId) -> Handled {
        self.events.lock().unwrap().push("handshake".into());
        Handled::Ok
    }
    fn on_receive(&self, id: ConnId, data: &[u8]) -> Handled {
        {
            let mut ev = self.events.lock().unwrap();
            if ev.last().is_none_or(|e| e != "receive") {
                ev.push("receive".into());
            }
        }
        self.data.lock().unwrap().extend_from_slice(data);
        if self.echo {
            let c = self.comp.get().and_then(Weak::upgrade).unwrap();
            if c.send(id, &[data]).is_err() {
                return Handled::Error;
            }
        }
        Handled::Ok
    }
    fn on_close(&self, _id: ConnId, op: Op, code: i32) -> Handled {
        self.events.lock().unwrap().push(format!("close {op:?} {code}"));
        Handled::Ok
    }
}

fn component(role: Role, echo: bool, security: Option<SecurityFactory>) -> (Arc<Component>, Arc<Log>) {
    let log = Arc::new(Log { echo, ..Default::default() });
    let c = Arc::new(Component::new(role, log.clone()));
    log.comp.set(Arc::downgrade(&c)).unwrap();
    c.set_option(|o| o.worker_threads = 2);
    assert!(c.set_security(security));
    (c, log)
}

fn xor() -> SecurityFactory {
    Arc::new(|_conn, server| Ok(Box::new(Xor::new(server)) as Box<dyn super::stack::Security>))
}

#[test]
fn a_security_layer_handshakes_before_onhandshake_and_orders_records_from_many_threads() {
    let (server, slog) = component(Role::Server, true, Some(xor()));
    server.start_server(Some("127.0.0.1"), 0).unwrap();
    let port = server.listen_addr().unwrap().port();
    let (client, clog) = component(Role::Client, false, Some(xor()));
    client.start_client(to(port), false).unwrap();
    let id = client.client_conn_id();
    assert!(wait_until(|| clog.events.lock().unwrap().contains(&"handshake".to_string())));
    // Four threads send at once; each record carries a sequence number that the receiving
    // layer checks, so records interleaved on the wire would close the connection.
    let threads: Vec<_> = (0..4u8)
        .map(|t| {
            let c = client.clone();
            std::thread::spawn(move || {
                for i in 0..500u32 {
                    let msg = [t; 37];
                    c.send(id, &[&msg[..(i % 37) as usize + 1]]).unwrap();
                }
            })
        })
        .collect();
    let mut total = 0;
    for th in threads {
        th.join().unwrap();
    }
    for i in 0..500u32 {
        total += (i % 37) as usize + 1;
    }
    assert!(wait_until(|| clog.data.lock().unwrap().len() == 4 * total), "echoed {} of {}", clog.data.lock().unwrap().len(), 4 * total);
    client.stop().unwrap();
    assert!(wait_until(|| slog.events.lock().unwrap().iter().any(|e| e.starts_with("close"))));
    server.stop().unwrap();
    let s = slog.events.lock().unwrap().clone();
    assert_eq!(&s[..3], ["accept", "handshake", "receive"]);
    assert_eq!(s.last().unwrap(), "close Close 0", "{s:?}");
    let c = clog.events.lock().unwrap().clone();
    assert_eq!(&c[..3], ["connect", "handshake", "receive"]);
}

#[test]
fn a_security_layer_protects_the_wire_and_bad_input_closes_with_its_error() {
    let (server, slog) = component(Role::Server, true, Some(xor()));
    server.start_server(Some("127.0.0.1"), 0).unwrap();
    let port = server.listen_addr().unwrap().port();
    // A raw peer speaks the toy protocol by hand: the server's answer to the handshake is a
    // byte it wrote from inside a read.
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&[b'H', 0x21]).unwrap();
    let mut a = [0u8; 1];
    s.read_exact(&mut a).unwrap();
    assert_eq!(a, *b"A");
    let payload: Vec<u8> = b"secret".iter().map(|b| b ^ 0x21).collect();
    s.write_all(&[6, 0, 0]).unwrap();
    s.write_all(&payload).unwrap();
    let mut back = [0u8; 9];
    s.read_exact(&mut back).unwrap();
    assert_eq!(&back[..3], &[6, 0, 0]);
    assert_eq!(back[3..].iter().map(|b| b ^ 0x21).collect::<Vec<_>>(), b"secret");
    // A record out of sequence: the layer's error closes this connection only.
    s.write_all(&[1, 0, 7, 0]).unwrap();
    assert!(wait_until(|| slog.events.lock().unwrap().iter().any(|e| e.starts_with("close"))));
    assert_eq!(slog.events.lock().unwrap().last().unwrap(), &format!("close Receive {}", libc::EBADMSG));
    // Garbage before the handshake: EPROTO.
    let mut g = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    g.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert!(wait_until(|| slog.events.lock().unwrap().iter().filter(|e| e.starts_with("close")).count() == 2));
    assert_eq!(slog.events.lock().unwrap().last().unwrap(), &format!("close Receive {}", libc::EPROTO));
    server.stop().unwrap();
}

/// A line framing: each `\n`-terminated line is one OnReceive; the line "RAW" switches the
/// connection to PUSH for the rest of its bytes; the line "LATER" asks for a timer that sends
/// "tick\n" 50 ms later.
struct Lines {
    partial: Vec<u8>,
    due: Option<Instant>,
}

impl Layer for Lines {
    fn feed(&mut self, data: &[u8], up: &mut Up<'_>) -> Result<Switch, CloseReason> {
        for (i, &b) in data.iter().enumerate() {
            if b != b'\n' {
                self.partial.push(b);
                if self.partial.len() > 1024 {
                    return Err(CloseReason { op: Op::Receive, code: libc::EMSGSIZE });
                }
                continue;
            }
            let line = std::mem::take(&mut self.partial);
            match &line[..] {
                b"RAW" => return Ok(Switch::To { next: Framing::Push, consumed: i + 1 }),
                b"LATER" => self.due = Some(Instant::now() + Duration::from_millis(50)),
                _ => {
                    if up.events.on_receive(up.id, &line) == Handled::Error {
                        return Err(CloseReason { op: Op::Receive, code: libc::ECANCELED });
                    }
                }
            }
        }
        Ok(Switch::Stay)
    }
    fn deadline(&self) -> Option<Instant> {
        self.due
    }
    fn on_timer(&mut self, now: Instant, up: &mut Up<'_>) -> Result<Switch, CloseReason> {
        if self.due.is_some_and(|d| d <= now) {
            self.due = None;
            up.send(&[b"tick\n"]).map_err(|code| CloseReason { op: Op::Send, code })?;
        }
        Ok(Switch::Stay)
    }
}

#[test]
fn a_framing_layer_switches_mid_read_asks_for_timers_and_can_be_installed_from_another_thread() {
    let (server, slog) = component(Role::Server, false, None);
    server.start_server(Some("127.0.0.1"), 0).unwrap();
    let port = server.listen_addr().unwrap().port();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    assert!(wait_until(|| server.connection_count() == 1));
    let id = server.connection_ids()[0];
    // Raw bytes until the application installs the layer (as StartHttp will).
    s.write_all(b"raw!").unwrap();
    assert!(wait_until(|| slog.data.lock().unwrap().len() == 4));
    server.conn(id).unwrap().framing_switch.request(Framing::Layer(Box::new(Lines { partial: Vec::new(), due: None })));
    s.write_all(b"one\ntwo\nLATER\n").unwrap();
    let mut tick = [0u8; 5];
    s.read_exact(&mut tick).unwrap();
    assert_eq!(&tick, b"tick\n");
    s.write_all(b"three\nRAW\nafter\nthe switch").unwrap();
    let want = b"raw!onetwothreeafter\nthe switch";
    assert!(wait_until(|| slog.data.lock().unwrap().len() == want.len()), "{:?}", String::from_utf8_lossy(&slog.data.lock().unwrap()));
    assert_eq!(&slog.data.lock().unwrap()[..], &want[..]);
    server.stop().unwrap();
}

#[test]
fn a_component_can_give_every_connection_its_first_framing() {
    let (server, slog) = component(Role::Server, false, None);
    assert!(server.set_framing(Some(Arc::new(|_conn| Framing::Layer(Box::new(Lines { partial: Vec::new(), due: None }))))));
    server.start_server(Some("127.0.0.1"), 0).unwrap();
    let port = server.listen_addr().unwrap().port();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"first\nsecond\n").unwrap();
    assert!(wait_until(|| slog.data.lock().unwrap().len() == 11));
    assert_eq!(&slog.data.lock().unwrap()[..], b"firstsecond");
    // While started the factory stays as it is.
    assert!(!server.set_framing(None));
    server.stop().unwrap();
}
