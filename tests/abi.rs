//! Same ABI as upstream HP-Socket 6.0.7's C API, checked from facts kept in the repository
//! (`tests/abi/upstream-6.0.7.tsv`: upstream's prototypes, typedefs with their sizes,
//! enumerator values, struct layouts and macros).
//!
//! A generated C file includes our `include/HPSocket4C-SSL.h` (which includes `HPSocket4C.h`)
//! and asserts each fact on a line of its own; gcc (`-std=gnu99 -Wall -Werror`) compiles it and
//! every error is traced back to its fact. For the facts that fail, a second generated file
//! makes gcc say what our header has instead (types through "incompatible types" diagnostics,
//! numbers through the size of an array type), so each mismatch reads name, expected, got.
//! g++ compiles the header as C++ and an object referencing every function, whose undefined
//! symbols must be the plain C names (`extern "C"`). `nm -D --defined-only` on the built library
//! checks that every function is exported. Without `include/HPSocket4C-SSL.h` (a build without
//! the `ssl` feature) the SSL functions and typedefs must be absent: not declared, not exported.
mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const FACTS: &str = include_str!("abi/upstream-6.0.7.tsv");
const TOP: &str = "HPSocket4C.h";
const SSL_HEADER: &str = "HPSocket4C-SSL.h";

struct Function {
    ssl: bool,
    name: String,
    ret: String,
    params: Vec<String>,
}

struct Typedef {
    ssl: bool,
    name: String,
    size: u64,
    ty: String,
}

struct Struct {
    name: String,
    size: u64,
    fields: Vec<(String, u64)>,
}

#[derive(Default)]
struct Facts {
    functions: Vec<Function>,
    typedefs: Vec<Typedef>,
    enums: Vec<(String, i64)>,
    structs: Vec<Struct>,
    macros: Vec<(String, Option<String>)>,
    legacy: Vec<String>,
}

fn facts() -> Facts {
    let mut f = Facts::default();
    for (n, line) in FACTS.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let v: Vec<&str> = line.split('\t').collect();
        let bad = || -> ! { panic!("tests/abi/upstream-6.0.7.tsv:{}: malformed: {line}", n + 1) };
        let num = |s: &str| s.parse::<u64>().unwrap_or_else(|_| bad());
        let set = |s: &str| match s {
            "core" => false,
            "ssl" => true,
            _ => bad(),
        };
        match v[0] {
            "function" if v.len() >= 4 => f.functions.push(Function {
                ssl: set(v[1]),
                name: v[2].into(),
                ret: v[3].into(),
                params: v[4..].iter().map(|s| s.to_string()).collect(),
            }),
            "typedef" if v.len() == 5 => f.typedefs.push(Typedef { ssl: set(v[1]), name: v[2].into(), size: num(v[3]), ty: v[4].into() }),
            "enum" if v.len() == 3 => f.enums.push((v[1].into(), v[2].parse().unwrap_or_else(|_| bad()))),
            "struct" if v.len() >= 3 => f.structs.push(Struct {
                name: v[1].into(),
                size: num(v[2]),
                fields: v[3..]
                    .iter()
                    .map(|fo| {
                        let (field, off) = fo.split_once('=').unwrap_or_else(|| bad());
                        (field.to_string(), num(off))
                    })
                    .collect(),
            }),
            "macro" if v.len() <= 3 => f.macros.push((v[1].into(), v.get(2).map(|s| s.to_string()))),
            "legacy" if v.len() == 2 => f.legacy.push(v[1].into()),
            _ => bad(),
        }
    }
    f
}

/// One fact that differs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Mismatch {
    kind: &'static str,
    name: String,
    expected: String,
    got: String,
}

struct Report {
    summary: Vec<String>,
    mismatches: Vec<Mismatch>,
    /// Errors that belong to no fact: the header itself does not compile, or not as C++.
    problems: Vec<String>,
}

impl Report {
    fn ok(&self) -> bool {
        self.mismatches.is_empty() && self.problems.is_empty()
    }

    fn render(&self) -> String {
        let mut s = String::new();
        for p in &self.problems {
            s += &format!("problem: {p}\n");
        }
        for m in &self.mismatches {
            s += &format!("{} {}: expected {}, got {}\n", m.kind, m.name, m.expected, m.got);
        }
        for l in &self.summary {
            s += l;
            s.push('\n');
        }
        s
    }

    fn failing(&self, kind: &str) -> BTreeSet<String> {
        self.mismatches.iter().filter(|m| m.kind == kind).map(|m| m.name.clone()).collect()
    }
}

/// One fact as C: `assert` (one or more lines) compiles iff the header matches; `probes` are
/// statements whose diagnostics tell what the header has, each shown after its label.
struct Check {
    kind: &'static str,
    name: String,
    expected: String,
    assert: String,
    probes: Vec<(String, String)>,
}

fn fnptr(ret: &str, params: &[String]) -> String {
    format!("{ret} (*)({})", if params.is_empty() { "void".to_string() } else { params.join(", ") })
}

/// A statement whose diagnostic carries the value of the integer constant `expr`, encoded in an
/// array size (`decode_number` reverses it): `char (*)[N]` assigned to an int.
fn number_probe(expr: &str) -> String {
    format!("abi_n = (char (*)[(long long)({expr}) < 0 ? -2 * (long long)({expr}) : 2 * (long long)({expr}) + 1])0;")
}

fn type_probe(expr: &str) -> String {
    format!("abi_p = {expr};")
}

fn decode_number(msg: &str) -> Option<String> {
    let rest = &msg[msg.find("char (*)[")? + "char (*)[".len()..];
    let n: i128 = rest[..rest.find(']')?].parse().ok()?;
    Some(if n % 2 == 1 { ((n - 1) / 2).to_string() } else { (-(n / 2)).to_string() })
}

/// What a probe's diagnostic says: a type, a number, or the error itself.
fn probe_result(msg: &str) -> String {
    if let Some(i) = msg.find("from type ") {
        return msg[i + "from type ".len()..].to_string();
    }
    if let Some(n) = decode_number(msg) {
        return n;
    }
    if msg.contains(" undeclared ") || msg.starts_with("unknown type name") {
        return "not declared".into();
    }
    msg.trim_start_matches("#error ").to_string()
}

fn checks(facts: &Facts, have_ssl: bool) -> Vec<Check> {
    let mut out = Vec::new();
    for f in &facts.functions {
        let want = fnptr(&f.ret, &f.params);
        if f.ssl && !have_ssl {
            out.push(absent(&f.name));
            continue;
        }
        out.push(Check {
            kind: "function",
            name: f.name.clone(),
            assert: format!("_Static_assert(__builtin_types_compatible_p(__typeof__(&{}), {want}), \"x\");", f.name),
            expected: want,
            probes: vec![(String::new(), type_probe(&format!("&{}", f.name)))],
        });
    }
    for t in &facts.typedefs {
        if t.ssl && !have_ssl {
            out.push(absent(&t.name));
            continue;
        }
        out.push(Check {
            kind: "typedef",
            name: t.name.clone(),
            expected: format!("{}, sizeof {}", t.ty, t.size),
            assert: format!(
                "_Static_assert(__builtin_types_compatible_p({}, {}) && sizeof({}) == {}, \"x\");",
                t.name, t.ty, t.name, t.size
            ),
            probes: vec![
                (String::new(), type_probe(&format!("*({} *)0", t.name))),
                (", sizeof ".into(), number_probe(&format!("sizeof({})", t.name))),
            ],
        });
    }
    for (name, v) in &facts.enums {
        out.push(Check {
            kind: "enumerator",
            name: name.clone(),
            expected: v.to_string(),
            assert: format!("_Static_assert((long long)({name}) == {v}LL, \"x\");"),
            probes: vec![(String::new(), number_probe(name))],
        });
    }
    for s in &facts.structs {
        let mut cond = vec![format!("sizeof({}) == {}", s.name, s.size)];
        let mut expected = vec![format!("size {}", s.size)];
        let mut probes = vec![("size ".to_string(), number_probe(&format!("sizeof({})", s.name)))];
        for (field, off) in &s.fields {
            cond.push(format!("offsetof({}, {field}) == {off}", s.name));
            expected.push(format!("{field}@{off}"));
            probes.push((format!(", {field}@"), number_probe(&format!("offsetof({}, {field})", s.name))));
        }
        out.push(Check {
            kind: "struct",
            name: s.name.clone(),
            expected: expected.join(", "),
            assert: format!("_Static_assert({}, \"x\");", cond.join(" && ")),
            probes,
        });
    }
    for (name, value) in &facts.macros {
        let numeric = value.as_deref().filter(|v| v.parse::<i64>().is_ok());
        let mut assert = format!("#ifndef {name}\n#error not defined\n#endif");
        let mut probe = format!("#ifndef {name}\n#error not defined\n");
        if let Some(v) = numeric {
            assert += &format!("\n_Static_assert(({name}) == {v}, \"x\");");
            probe += &format!("#else\n{}\n", number_probe(name));
        }
        probe += "#endif";
        out.push(Check {
            kind: "macro",
            name: name.clone(),
            expected: numeric.map_or("defined".into(), |v| format!("defined as {v}")),
            assert,
            probes: vec![(String::new(), probe)],
        });
    }
    out
}

/// An SSL name must not be declared while the SSL header does not exist: redeclaring it as an
/// `int` is an error exactly when the header declares it (as a function or a typedef).
fn absent(name: &str) -> Check {
    Check {
        kind: "ssl-absent",
        name: name.into(),
        expected: format!("not declared without {SSL_HEADER}"),
        assert: format!("extern int {name};"),
        probes: Vec::new(),
    }
}

fn tool(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.env("LC_ALL", "C").env("LANG", "C").output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn gcc_c(inc: &Path, file: &Path) -> String {
    let mut cmd = Command::new("gcc");
    cmd.args(["-std=gnu99", "-Wall", "-Werror", "-fsyntax-only", "-fmax-errors=0", "-I"]).arg(inc).arg(file);
    tool(&mut cmd).2
}

/// Writes `parts` one after the other into `path` and returns, for every line, which part it
/// belongs to; `prelude` comes first.
fn write_lines(path: &Path, prelude: &str, parts: &[(usize, String)]) -> HashMap<usize, usize> {
    let mut src = prelude.to_string();
    let mut line_of = HashMap::new();
    let mut line = prelude.lines().count() + 1;
    for (owner, text) in parts {
        for l in text.lines() {
            src += l;
            src.push('\n');
            line_of.insert(line, *owner);
            line += 1;
        }
    }
    std::fs::write(path, src).unwrap();
    line_of
}

/// gcc's errors in `file`: (line, message); errors elsewhere (the headers) go to `others`.
fn errors(stderr: &str, file: &Path, others: &mut Vec<String>) -> Vec<(usize, String)> {
    let prefix = format!("{}:", file.display());
    let mut out = Vec::new();
    for l in stderr.lines() {
        if let Some(rest) = l.strip_prefix(&prefix) {
            let mut it = rest.splitn(3, ':');
            let (line, _col, msg) = (it.next(), it.next(), it.next());
            if let (Some(Ok(line)), Some(msg)) = (line.map(str::parse::<usize>), msg) {
                if let Some(msg) = msg.trim_start().strip_prefix("error: ") {
                    out.push((line, msg.to_string()));
                }
            }
        } else if l.contains(": error: ") && !l.starts_with("cc1") {
            others.push(l.to_string());
        }
    }
    out
}

/// Checks the headers in `inc` (and, with `lib`, its exports) against upstream 6.0.7; scratch
/// files go to `work`.
fn check_abi(inc: &Path, lib: Option<&Path>, work: &Path) -> Report {
    let facts = facts();
    std::fs::create_dir_all(work).unwrap();
    let have_ssl = inc.join(SSL_HEADER).exists();
    let top = if have_ssl { SSL_HEADER } else { TOP };
    let checks = checks(&facts, have_ssl);
    let mut mismatches = Vec::new();
    let mut problems = Vec::new();

    // 1. Every fact asserted on lines of its own.
    let prelude = format!("#include <stddef.h>\n#include <stdint.h>\n#include \"{top}\"\n");
    let c = work.join("abi.c");
    let parts: Vec<(usize, String)> = checks.iter().enumerate().map(|(i, k)| (i, k.assert.clone())).collect();
    let owner = write_lines(&c, &prelude, &parts);
    let mut header_errors = Vec::new();
    let mut why: HashMap<usize, String> = HashMap::new();
    for (line, msg) in errors(&gcc_c(inc, &c), &c, &mut header_errors) {
        if let Some(&i) = owner.get(&line) {
            why.entry(i).or_insert(msg);
        }
    }
    header_errors.truncate(20);
    problems.extend(header_errors.into_iter().map(|e| format!("header does not compile cleanly as C: {e}")));

    // 2. What the header has instead, for the facts that failed.
    let mut got: HashMap<usize, Option<String>> = HashMap::new();
    if !why.is_empty() {
        let prelude = format!("{prelude}struct abi_probe {{ char c; }};\n");
        let mut parts = Vec::new();
        let mut probe_of = Vec::new(); // part index -> (check, label)
        for &i in why.keys() {
            let k = &checks[i];
            if k.probes.is_empty() {
                continue;
            }
            parts.push((usize::MAX, format!("void abi_probe_{i}(void) {{\n  struct abi_probe abi_p; int abi_n;")));
            for (label, code) in &k.probes {
                parts.push((probe_of.len(), code.clone()));
                probe_of.push((i, label.clone()));
            }
            parts.push((usize::MAX, "  (void)abi_p; (void)abi_n;\n}".into()));
        }
        let p = work.join("abi_probe.c");
        let owner = write_lines(&p, &prelude, &parts);
        let mut result: HashMap<usize, String> = HashMap::new();
        for (line, msg) in errors(&gcc_c(inc, &p), &p, &mut Vec::new()) {
            if let Some(&j) = owner.get(&line).filter(|&&j| j != usize::MAX) {
                result.entry(j).or_insert_with(|| probe_result(&msg));
            }
        }
        for (j, (i, label)) in probe_of.iter().enumerate() {
            let text = got.entry(*i).or_insert_with(|| Some(String::new()));
            *text = match (text.take(), result.get(&j)) {
                (Some(t), Some(r)) => Some(format!("{t}{label}{r}")),
                _ => None, // no diagnostic: say what the assertion said instead
            };
        }
    }
    let mut summary = Vec::new();
    for kind in ["function", "typedef", "enumerator", "struct", "macro"] {
        let idx: Vec<usize> = (0..checks.len()).filter(|&i| checks[i].kind == kind).collect();
        let bad = idx.iter().filter(|i| why.contains_key(i)).count();
        summary.push(format!("{kind:<10} {:>4}/{:<4} match upstream", idx.len() - bad, idx.len()));
    }
    for (i, k) in checks.iter().enumerate() {
        if let Some(msg) = why.get(&i) {
            let g = got.get(&i).cloned().flatten().unwrap_or_else(|| msg.clone());
            mismatches.push(Mismatch { kind: k.kind, name: k.name.clone(), expected: k.expected.clone(), got: g });
        }
    }
    let ssl_functions: Vec<&Function> = facts.functions.iter().filter(|f| f.ssl).collect();
    if have_ssl {
        summary.push(format!(
            "SSL header present: its {} functions and {} typedefs checked with the rest",
            ssl_functions.len(),
            facts.typedefs.iter().filter(|t| t.ssl).count()
        ));
    } else {
        let idx: Vec<usize> = (0..checks.len()).filter(|&i| checks[i].kind == "ssl-absent").collect();
        let declared = idx.iter().filter(|i| why.contains_key(i)).count();
        summary.push(format!(
            "SSL header absent: {} SSL functions and {} SSL typedefs expected undeclared, {declared} declared",
            ssl_functions.len(),
            idx.len() - ssl_functions.len()
        ));
    }

    // 3. C++: the header compiles alone, and every function it declares as upstream does (an
    // object taking their addresses) is referenced by its plain C name: `extern "C"`.
    let checked: Vec<&Function> = facts.functions.iter().filter(|f| have_ssl || !f.ssl).collect();
    let declared: Vec<&Function> = checks
        .iter()
        .enumerate()
        .filter(|(i, k)| k.kind == "function" && !why.contains_key(i))
        .map(|(_, k)| checked.iter().find(|f| f.name == k.name).copied().unwrap())
        .collect();
    let g_plus_plus = |src: &str, name: &str| {
        let cxx = work.join(format!("{name}.cpp"));
        let obj = work.join(format!("{name}.o"));
        std::fs::write(&cxx, src).unwrap();
        let _ = std::fs::remove_file(&obj);
        let (ok, _, err) =
            tool(Command::new("g++").args(["-x", "c++", "-Wall", "-Werror", "-c", "-o"]).arg(&obj).arg("-I").arg(inc).arg(&cxx));
        let errs: Vec<&str> = err.lines().filter(|l| l.contains("error")).take(10).collect();
        (ok.then_some(obj), errs.join("\n  "))
    };
    let mut refs = format!("#include \"{top}\"\nvoid *abi_refs[] = {{\n");
    for f in &declared {
        refs += &format!("  (void *)&{},\n", f.name);
    }
    refs += "};\n";
    match (g_plus_plus(&format!("#include \"{top}\"\n"), "abi_header"), g_plus_plus(&refs, "abi_cxx")) {
        ((None, errs), _) => {
            problems.push(format!("header does not compile as C++:\n  {errs}"));
            summary.push("C++        fails to compile".into());
        }
        (_, (None, errs)) => {
            problems.push(format!("C++ program taking every function's address does not compile:\n  {errs}"));
            summary.push("C++        header compiles; its functions' addresses do not".into());
        }
        (_, (Some(obj), _)) => {
            let (_, out, _) = tool(Command::new("nm").arg("-u").arg(&obj));
            let undefined: BTreeSet<&str> = out.lines().filter_map(|l| l.split_whitespace().last()).collect();
            let mut linked = 0;
            for f in &declared {
                if undefined.contains(f.name.as_str()) {
                    linked += 1;
                } else {
                    mismatches.push(Mismatch {
                        kind: "c-linkage",
                        name: f.name.clone(),
                        expected: "extern \"C\" (unmangled)".into(),
                        got: "C++ linkage (mangled)".into(),
                    });
                }
            }
            let mut line = format!("C++        compiles; {linked}/{} functions with C linkage", declared.len());
            if declared.len() < checked.len() {
                line += &format!(" ({} not declared as upstream: not checked)", checked.len() - declared.len());
            }
            summary.push(line);
        }
    }

    // 4. Exports.
    if let Some(lib) = lib {
        let (ok, out, err) = tool(Command::new("nm").args(["-D", "--defined-only"]).arg(lib));
        assert!(ok, "nm -D {}: {err}", lib.display());
        let exported: HashMap<&str, &str> = out
            .lines()
            .filter_map(|l| {
                let v: Vec<&str> = l.split_whitespace().collect();
                (v.len() >= 2).then(|| (v[v.len() - 1].split('@').next().unwrap(), v[v.len() - 2]))
            })
            .collect();
        let want: Vec<&str> = checked.iter().map(|f| f.name.as_str()).chain(facts.legacy.iter().map(String::as_str)).collect();
        let mut found = 0;
        for name in &want {
            match exported.get(name) {
                Some(&("T" | "W" | "i")) => found += 1,
                Some(t) => mismatches.push(Mismatch {
                    kind: "exported",
                    name: name.to_string(),
                    expected: "exported function".into(),
                    got: format!("exported as nm type {t}"),
                }),
                None => mismatches.push(Mismatch {
                    kind: "exported",
                    name: name.to_string(),
                    expected: "exported".into(),
                    got: "missing".into(),
                }),
            }
        }
        let mut line = format!("exported   {found:>4}/{:<4} functions (6.0.7 plus {} names 5.1.1 had)", want.len(), facts.legacy.len());
        if !have_ssl {
            let stubs: Vec<&Function> = ssl_functions.iter().copied().filter(|f| exported.contains_key(f.name.as_str())).collect();
            for f in &stubs {
                mismatches.push(Mismatch {
                    kind: "exported",
                    name: f.name.clone(),
                    expected: format!("not exported without {SSL_HEADER}"),
                    got: "exported".into(),
                });
            }
            line += &format!("; SSL {}/{} exported (none expected without {SSL_HEADER})", stubs.len(), ssl_functions.len());
        }
        summary.push(line);
    }
    mismatches.sort();
    let report = Report { summary, mismatches, problems };
    let verdict = if report.ok() { "matches upstream 6.0.7" } else { "differs from upstream 6.0.7" };
    Report { summary: [report.summary, vec![format!("ABI: {verdict}")]].concat(), ..report }
}

#[test]
fn abi_matches_upstream_6_0_7() {
    let lib = common::lib_dir().join("libhpsocket4c.so");
    let mut inc = common::root().join("include");
    if !cfg!(feature = "ssl") {
        // Built without SSL: the headers a program gets (make install leaves the SSL one out),
        // and no SSL function may be exported.
        let plain = common::out_dir().join("abi-no-ssl");
        std::fs::create_dir_all(&plain).unwrap();
        for h in ["HPTypeDef.h", "HPSocket4C.h"] {
            std::fs::copy(inc.join(h), plain.join(h)).unwrap();
        }
        inc = plain;
    }
    let report = check_abi(&inc, Some(&lib), &common::out_dir().join("abi"));
    assert!(report.ok(), "the ABI differs from upstream 6.0.7:\n{}", report.render());
    println!("{}", report.render());
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{}: `{from}` not found exactly once", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The checker itself: a copy of our headers with one deliberate change per kind, and a stub
/// library missing one function and exporting one SSL function, must be reported exactly so.
#[test]
fn abi_check_catches_mutations() {
    let work: PathBuf = common::out_dir().join("abi-mutated");
    let inc = work.join("include");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&inc).unwrap();
    for h in ["HPTypeDef.h", "HPSocket4C.h"] {
        std::fs::copy(common::root().join("include").join(h), inc.join(h)).unwrap();
    }
    let typedef_h = inc.join("HPTypeDef.h");
    let api_h = inc.join("HPSocket4C.h");
    // An enumerator's value.
    edit(&typedef_h, "SS_STOPPED = 3,", "SS_STOPPED = 4,");
    // A parameter's type (int -> DWORD) in one prototype.
    let text = std::fs::read_to_string(&api_h).unwrap();
    let at = text.find("BOOL HP_Server_Send(").expect("HP_Server_Send declared");
    let len = text[at..].find("int iLength);").expect("HP_Server_Send's int iLength");
    std::fs::write(&api_h, format!("{}DWORD iLength);{}", &text[..at + len], &text[at + len + "int iLength);".len()..])).unwrap();
    // A typedef's type and size.
    edit(&typedef_h, "typedef long long INT64;", "typedef int INT64;");
    // A struct's layout (fields swapped).
    edit(&typedef_h, "  En_HP_IPAddrType type;\n  LPCTSTR address;\n", "  LPCTSTR address;\n  En_HP_IPAddrType type;\n");
    // A macro's value.
    edit(&typedef_h, "#define HP_VERSION_BUILD 1\n", "#define HP_VERSION_BUILD 2\n");
    // An SSL typedef slipped in without the SSL header.
    edit(&api_h, "#ifdef __cplusplus\nextern \"C\" {", "typedef PVOID HP_SSLServer;\n#ifdef __cplusplus\nextern \"C\" {");

    // A stub library: every function but HP_Server_Send, plus one SSL function.
    let facts = facts();
    let mut stub = String::new();
    for name in facts.functions.iter().filter(|f| !f.ssl).map(|f| &f.name).chain(&facts.legacy) {
        if name != "HP_Server_Send" {
            stub += &format!("void {name}(void) {{}}\n");
        }
    }
    stub += "void HP_SSLServer_SetupSSLContext(void) {}\n";
    std::fs::write(work.join("stub.c"), stub).unwrap();
    let so = work.join("libstub.so");
    let (ok, _, err) = tool(Command::new("gcc").args(["-shared", "-fPIC", "-o"]).arg(&so).arg(work.join("stub.c")));
    assert!(ok, "stub library: {err}");

    let report = check_abi(&inc, Some(&so), &work.join("scratch"));
    let rendered = report.render();
    println!("{rendered}");
    assert!(!report.ok(), "mutations not caught:\n{rendered}");
    assert!(report.problems.is_empty(), "{rendered}");
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(report.failing("enumerator"), set(&["SS_STOPPED"]), "{rendered}");
    assert_eq!(report.failing("function"), set(&["HP_Server_Send"]), "{rendered}");
    assert_eq!(report.failing("struct"), set(&["HP_TIPAddr"]), "{rendered}");
    assert_eq!(report.failing("macro"), set(&["HP_VERSION_BUILD"]), "{rendered}");
    assert_eq!(report.failing("ssl-absent"), set(&["HP_SSLServer"]), "{rendered}");
    assert_eq!(report.failing("exported"), set(&["HP_SSLServer_SetupSSLContext", "HP_Server_Send"]), "{rendered}");
    assert_eq!(report.failing("typedef"), set(&["INT64"]), "{rendered}");
    assert!(report.failing("c-linkage").is_empty(), "{rendered}");
    // Each mismatch says what the header has.
    let find = |kind: &str, name: &str| report.mismatches.iter().find(|m| m.kind == kind && m.name == name).unwrap().clone();
    assert_eq!(find("enumerator", "SS_STOPPED").got, "4", "{rendered}");
    assert!(find("function", "HP_Server_Send").got.contains("unsigned int)"), "{rendered}");
    assert_eq!(find("struct", "HP_TIPAddr").got, "size 16, type@8, address@0", "{rendered}");
    assert_eq!(find("macro", "HP_VERSION_BUILD").got, "2", "{rendered}");
    assert_eq!(find("typedef", "INT64").got, "'INT64' {aka 'int'}, sizeof 4", "{rendered}");
    assert!(rendered.contains("enumerator  197/198  match upstream"), "{rendered}");
}

/// Once `include/HPSocket4C-SSL.h` exists its functions and typedefs are checked like the rest:
/// a stand-in SSL header declaring the SSL typedefs and one SSL function (outside `extern "C"`)
/// leaves the other 57 SSL functions undeclared and that one without C linkage; our library
/// exports all 58.
#[test]
#[cfg(feature = "ssl")] // the real library's SSL exports
fn abi_check_covers_ssl_header_once_present() {
    let work: PathBuf = common::out_dir().join("abi-ssl");
    let inc = work.join("include");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&inc).unwrap();
    for h in ["HPTypeDef.h", "HPSocket4C.h"] {
        std::fs::copy(common::root().join("include").join(h), inc.join(h)).unwrap();
    }
    let facts = facts();
    let mut ssl_h = String::from("#include \"HPSocket4C.h\"\n");
    for t in facts.typedefs.iter().filter(|t| t.ssl) {
        ssl_h += &format!("typedef {} {};\n", t.ty, t.name);
    }
    ssl_h += "HPSOCKET_API HP_SSLServer Create_HP_SSLServer(HP_TcpServerListener pListener);\n";
    std::fs::write(inc.join(SSL_HEADER), ssl_h).unwrap();

    let lib = common::lib_dir().join("libhpsocket4c.so");
    let report = check_abi(&inc, Some(&lib), &work.join("scratch"));
    let rendered = report.render();
    println!("{}", report.summary.join("\n"));
    assert!(report.problems.is_empty(), "{rendered}");
    let ssl: BTreeSet<String> = facts.functions.iter().filter(|f| f.ssl).map(|f| f.name.clone()).collect();
    assert_eq!(ssl.len(), 58);
    let mut undeclared = ssl.clone();
    undeclared.remove("Create_HP_SSLServer");
    assert_eq!(report.failing("function"), undeclared, "{rendered}");
    assert!(report.failing("typedef").is_empty(), "{rendered}");
    assert!(report.failing("ssl-absent").is_empty(), "{rendered}");
    assert_eq!(report.failing("c-linkage"), ["Create_HP_SSLServer".to_string()].into(), "{rendered}");
    assert!(report.failing("exported").is_empty(), "{rendered}");
    let first = report.mismatches.iter().find(|m| m.kind == "function").unwrap();
    assert_eq!((first.name.as_str(), first.got.as_str()), ("Create_HP_HttpsAgent", "not declared"), "{rendered}");
    assert!(rendered.contains("function    692/749  match upstream"), "{rendered}");
    assert!(rendered.contains("typedef     329/329  match upstream"), "{rendered}");
}
